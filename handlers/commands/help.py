"""`/ecombot help | channels | whoami`, and a plain DM to the bot: the help, from the commands' own specs.

    /ecombot            → every registered command with one example (anything unknown too)
    /ecombot channels   → slugs, names, aliases and ROI floors
    /ecombot whoami     → the asker's approver roles (user groups expanded)
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from handlers.approvers import roles_of
from handlers.commands.kit import CommandSpec, Ephemeral, HelpRow, Invocation
from handlers.locales import UserLocales
from handlers.views.blocks import header_block, section_block
from handlers.views.help import help_message
from handlers.views.message import Message
from handlers.views.texts import t
from metrics.budget import FINANCE, OPS
from metrics.runtime import Deps

log = logging.getLogger(__name__)

ROWS = (
    HelpRow("usage.ecombot", "/ecombot help", "help.ecombot"),
    HelpRow("usage.ecombot_channels", "/ecombot channels", "help.ecombot_channels"),
    HelpRow("usage.ecombot_whoami", "/ecombot whoami", "help.ecombot_whoami"),
)
SUBCOMMANDS = {"channels": "channels", "渠道": "channels", "whoami": "whoami", "我": "whoami", "角色": "whoami"}


def help_rows(commands: Sequence[CommandSpec[Any]]) -> list[HelpRow]:
    return [row for command in commands for row in command.help] + list(ROWS)


def channels_message(deps: Deps, locale: str) -> Message:
    lines = [t("channels.line", locale, slug=c.slug, en=c.en, zh=c.zh, aliases=", ".join(c.aliases) or "—",
               floor=f"1:{deps.settings.floor_for(c.slug):g}") for c in deps.registry]
    title = t("channels.title", locale)
    return Message(title, [header_block(title), section_block("\n".join(lines))])


def whoami_message(deps: Deps, client: WebClient, user: str, locale: str) -> Message:
    roles = roles_of(deps.settings, client, user)
    names = [t(f"role.{key}", locale) for role, key in ((FINANCE, "finance"), (OPS, "ops")) if role in roles]
    title = t("whoami.title", locale)
    if names:
        said = t("whoami.roles", locale, user=user, roles=", ".join(names))
    else:
        said = t("whoami.none", locale, user=user)
    return Message(said, [header_block(title), section_block(said)])


def spec(commands: Sequence[CommandSpec[Any]]) -> CommandSpec[str]:
    """The `/ecombot` command, listing `commands` (itself last)."""

    def parse(deps: Deps, text: str) -> str:
        # never an error: whatever was typed, the user asked the bot what it can do
        return SUBCOMMANDS.get(text.strip().lower(), "help")

    def answer(deps: Deps, sub: str, inv: Invocation, client: WebClient) -> Ephemeral:
        if sub == "channels":
            return Ephemeral(channels_message(deps, inv.locale))
        if sub == "whoami":
            return Ephemeral(whoami_message(deps, client, inv.user_id, inv.locale))
        return Ephemeral(help_message(help_rows(commands), inv.locale))

    return CommandSpec("/ecombot", parse=parse, answer=answer, help=ROWS)


def register_dm(app: App, deps: Deps, commands: Sequence[CommandSpec[Any]], locales: UserLocales) -> None:
    """A plain direct message to the bot gets the help in the writer's language, not silence."""

    def on_message(event: dict[str, Any], client: WebClient) -> None:
        if event.get("channel_type") != "im" or event.get("bot_id") or event.get("subtype"):
            return  # channel chatter, the bot's own posts, edits and joins are not questions
        user, channel = str(event.get("user") or ""), str(event.get("channel") or "")
        if not user or not channel:
            return
        locale = locales.of(client, user, deps.locale)
        message = help_message(help_rows(commands), locale)
        intro = t("dm.intro", locale)
        client.chat_postMessage(channel=channel, text=intro, blocks=[section_block(intro), *message.blocks])

    app.event("message")(on_message)
