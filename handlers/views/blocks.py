"""The Block Kit pieces every view builds from, clipped to Slack's limits. Pure.

    [header_block("Stock alerts"), section_block("*2* critical", "alert:stock:SKU1"),
     actions_block("act:stock:SKU1", [button("alert_ack", "Acknowledge", "stock:SKU1", "primary")])]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from handlers.views.limits import BUTTON_TEXT, HEADER_TEXT, SECTION_TEXT, clip
from handlers.views.mrkdwn import unescape

Block = dict[str, Any]


def section_block(text: str, block_id: str | None = None) -> Block:
    return SectionBlock(text=MarkdownTextObject(text=clip(text, SECTION_TEXT)), block_id=block_id).to_dict()


def header_block(text: str) -> Block:
    return HeaderBlock(text=PlainTextObject(text=clip(unescape(text), HEADER_TEXT))).to_dict()


def context_block(*lines: str, block_id: str | None = None, limit: int = SECTION_TEXT) -> Block:
    """One context element per line, each clipped to `limit` characters."""
    return ContextBlock(elements=[MarkdownTextObject(text=clip(x, limit)) for x in lines], block_id=block_id).to_dict()


def button(action_id: str, label: str, value: str, style: str | None = None,
           confirm: ConfirmObject | None = None) -> ButtonElement:
    return ButtonElement(text=PlainTextObject(text=clip(unescape(label), BUTTON_TEXT)), action_id=action_id,
                         value=value, style=style, confirm=confirm)


def confirm_dialog(title: str, text: str, yes: str, no: str) -> ConfirmObject:
    """Slack asks "are you sure?" before the click is sent: for the clicks that cannot be taken back."""
    return ConfirmObject(title=PlainTextObject(text=clip(unescape(title), 100)),
                         text=MarkdownTextObject(text=clip(text, 300)),
                         confirm=PlainTextObject(text=clip(unescape(yes), 30)),
                         deny=PlainTextObject(text=clip(unescape(no), 30)), style="danger")


def actions_block(block_id: str, buttons: Sequence[ButtonElement]) -> Block:
    return ActionsBlock(block_id=block_id, elements=list(buttons)).to_dict()
