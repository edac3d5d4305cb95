"""Block Kit checks shared by view and end-to-end tests: slack_sdk parses every block, and Slack's
documented limits (api.slack.com/reference/block-kit) hold. The limits are written here as literals on
purpose, not imported from `handlers.views.limits`, so a wrong constant there is caught.

    assert_valid_message(view)              # text, blocks, chart name
    assert "n/a" in block_text(view.blocks)
"""

from __future__ import annotations

import re
from typing import Any

from slack_sdk.models.blocks import Block

from handlers.views.message import Message

Json = dict[str, Any]

MESSAGE_BLOCKS = 50
MODAL_BLOCKS = 100
MESSAGE_TEXT = 40_000
HEADER_TEXT = 150
SECTION_TEXT = 3_000
SECTION_FIELDS = 10
FIELD_TEXT = 2_000
CONTEXT_ELEMENTS = 10
TEXT_OBJECT = 3_000
ACTIONS_ELEMENTS = 25
BUTTON_TEXT = 75
BUTTON_VALUE = 2_000
ID = 255  # block_id, action_id

# a figure that escaped formatting: Python's None, a float NaN or infinity
_MISSING = re.compile(r"(?<![A-Za-z])(None|nan|NaN|-?inf|-?Infinity)(?![A-Za-z])")


def _text(obj: Json, limit: int, what: str) -> None:
    text = obj["text"]
    assert isinstance(text, str), what
    assert 1 <= len(text) <= limit, f"{what}: {len(text)} characters (1..{limit})"


def _element(raw: Json) -> None:
    if raw.get("type") == "button":
        _text(raw["text"], BUTTON_TEXT, "button text")
        assert len(raw.get("value", "")) <= BUTTON_VALUE, "button value"
        assert len(raw.get("action_id", "")) <= ID, "action_id"


def assert_valid_blocks(blocks: list[Json], max_blocks: int = MESSAGE_BLOCKS) -> None:
    """Blocks parse with slack_sdk's models and keep within Slack's documented limits."""
    assert 0 < len(blocks) <= max_blocks, f"{len(blocks)} blocks"
    parsed = Block.parse_all(blocks)
    assert len(parsed) == len(blocks)
    for block in parsed:
        assert block is not None
        block.validate_json()
    for raw in blocks:
        kind = raw["type"]
        if kind == "header":
            assert raw["text"]["type"] == "plain_text"
            _text(raw["text"], HEADER_TEXT, "header")
        elif kind == "section":
            assert "text" in raw or "fields" in raw
            if "text" in raw:
                _text(raw["text"], SECTION_TEXT, "section text")
            fields = raw.get("fields") or []
            assert len(fields) <= SECTION_FIELDS, f"{len(fields)} fields"
            for f in fields:
                _text(f, FIELD_TEXT, "field")
            if "accessory" in raw:
                _element(raw["accessory"])
        elif kind == "context":
            assert 0 < len(raw["elements"]) <= CONTEXT_ELEMENTS, f"{len(raw['elements'])} context elements"
            for e in raw["elements"]:
                if "text" in e:
                    _text(e, TEXT_OBJECT, "context element")
        elif kind == "actions":
            assert 0 < len(raw["elements"]) <= ACTIONS_ELEMENTS
            for e in raw["elements"]:
                _element(e)
        if "block_id" in raw:
            assert len(raw["block_id"]) <= ID, "block_id"


def block_text(blocks: list[Json]) -> str:
    """Every text a person can read in the blocks, one per line (zero-width boundaries left out)."""
    out: list[str] = []
    for raw in blocks:
        if isinstance(raw.get("text"), dict):
            out.append(raw["text"]["text"])
        out.extend(f["text"] for f in raw.get("fields") or [])
        for e in raw.get("elements") or []:
            if isinstance(e, dict) and isinstance(e.get("text"), str):
                out.append(e["text"])
            elif isinstance(e, dict) and isinstance(e.get("text"), dict):  # buttons
                out.append(e["text"]["text"])
        if isinstance(raw.get("accessory"), dict) and isinstance(raw["accessory"].get("text"), dict):
            out.append(raw["accessory"]["text"]["text"])
    # the zero-width boundaries around bold next to CJK are seen by nobody
    return "\n".join(out).replace("\u200b", "")


def assert_no_missing_figures(text: str) -> None:
    """A missing ratio reads "n/a", never None, nan or inf."""
    found = _MISSING.search(text)
    assert found is None, f"{found.group(0)!r} shown: …{text[max(0, found.start() - 60): found.end() + 60]}…"


def assert_valid_message(message: Message) -> None:
    """A whole message: fallback text, blocks, readable figures."""
    assert 1 <= len(message.text) <= MESSAGE_TEXT, f"message text: {len(message.text)} characters"
    assert_valid_blocks(message.blocks)
    assert_no_missing_figures(message.text)
    assert_no_missing_figures(block_text(message.blocks))
    if message.chart is not None:
        assert message.chart.png[:8] == b"\x89PNG\r\n\x1a\n"
        assert message.chart.filename.endswith(".png")
