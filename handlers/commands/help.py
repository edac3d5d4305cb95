"""`/ecombot help`: every command with one example."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk.models.blocks import HeaderBlock, MarkdownTextObject, PlainTextObject, SectionBlock

from handlers.views.limits import SECTION_TEXT, clip
from handlers.views.texts import COMMANDS, t
from metrics.runtime import Deps
from metrics.windows import GRAMMAR


def help_blocks(locale: str) -> list[dict[str, Any]]:
    lines = [
        f"`{usage}` — {zh if locale == 'zh' else en}\n    e.g. `{example}`"
        for usage, example, en, zh in COMMANDS
    ]
    return [
        HeaderBlock(text=PlainTextObject(text=t("help.title", locale))).to_dict(),
        SectionBlock(text=MarkdownTextObject(text=clip("\n".join(lines), SECTION_TEXT))).to_dict(),
        SectionBlock(text=MarkdownTextObject(text=t("help.intro", locale, grammar=GRAMMAR))).to_dict(),
    ]


def register(app: App, deps: Deps) -> None:
    def ecombot(ack: Ack, command: dict[str, Any]) -> None:
        # every subcommand but a known one shows help: the user asked the bot what it can do
        ack(response_type="ephemeral", text=t("help.title", deps.locale), blocks=help_blocks(deps.locale))

    app.command("/ecombot")(ecombot)
