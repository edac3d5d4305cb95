"""The one message type every view renders and `handlers.delivery.send` delivers.

    Message(text="ROI douyin 7d: 1:2.35", blocks=[...], chart=Chart(png, "roi-douyin-7d.png", "Daily ROI"))

`text` is the notification fallback (what a phone shows); `blocks` are Block Kit dicts; a chart
is uploaded after the message, into the same conversation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Block = dict[str, Any]


@dataclass(frozen=True)
class Chart:
    png: bytes
    filename: str
    title: str


@dataclass(frozen=True)
class Message:
    text: str
    blocks: list[Block] = field(default_factory=list)
    chart: Chart | None = None

    def plus(self, *blocks: Block) -> Message:
        """The same message with `blocks` appended (a note under an answer)."""
        return Message(self.text, [*self.blocks, *blocks], self.chart)
