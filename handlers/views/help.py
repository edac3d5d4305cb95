"""The help message: one line per command row with an example. Pure.

    help_message([HelpRow("usage.roi", "/roi douyin 30d", "help.roi")], "zh")
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from handlers.views.blocks import header_block, section_block
from handlers.views.message import Message
from handlers.views.texts import t


class Row(Protocol):
    @property
    def usage(self) -> str: ...  # text key
    @property
    def example(self) -> str: ...
    @property
    def key(self) -> str: ...  # text key


def help_message(rows: Sequence[Row], locale: str) -> Message:
    lines = [t("help.line", locale, usage=t(r.usage, locale), text=t(r.key, locale), example=r.example) for r in rows]
    title = t("help.title", locale)
    return Message(title, [
        header_block(title),
        *([section_block("\n".join(lines))] if lines else []),  # Slack refuses a section without text
        section_block(t("help.intro", locale, grammar=t("window.grammar", locale))),
    ])
