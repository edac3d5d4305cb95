"""Slack's size limits for Block Kit, in one place (api.slack.com/reference/block-kit)."""

from __future__ import annotations

MAX_BLOCKS = 50
HEADER_TEXT = 150
SECTION_TEXT = 3000
SECTION_FIELDS = 10
FIELD_TEXT = 2000
BUTTON_TEXT = 75
MESSAGE_TEXT = 40000


def clip(text: str, limit: int) -> str:
    """Cut `text` to `limit` characters, marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
