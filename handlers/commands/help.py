"""`/ecombot help`: every registered command with one example, from the commands' own specs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk import WebClient

from handlers.commands.kit import CommandSpec, Ephemeral, HelpRow, Invocation
from handlers.views.help import help_message
from metrics.runtime import Deps

ROWS = (HelpRow("usage.ecombot", "/ecombot help", "help.ecombot"),)


def spec(commands: Sequence[CommandSpec[Any]]) -> CommandSpec[str]:
    """The `/ecombot` command, listing `commands` (itself last)."""

    def parse(deps: Deps, text: str) -> str:
        return text.strip().lower()

    def answer(deps: Deps, sub: str, inv: Invocation, client: WebClient) -> Ephemeral:
        # every subcommand but a known one shows help: the user asked the bot what it can do
        rows = [row for command in commands for row in command.help] + list(ROWS)
        return Ephemeral(help_message(rows, inv.locale))

    return CommandSpec("/ecombot", parse=parse, answer=answer, help=ROWS)
