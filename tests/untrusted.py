"""Hostile strings, and a check that a Slack message shows them without obeying them."""

from __future__ import annotations

from typing import Any

HOSTILE = "<!channel> 过敏 <https://evil.example|官方客服点此退款> & <@U0BOSS> <!subteam^S0ALL>"
OBEYED = ("<!channel>", "<!here>", "<https://evil", "<@U0BOSS>", "<!subteam^S0ALL>")


def mrkdwn_texts(message: dict[str, Any]) -> list[str]:
    """The message's notification text and every mrkdwn text in its blocks (what Slack parses)."""
    out = [str(message.get("text") or "")]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn" and isinstance(node.get("text"), str):
                out.append(node["text"])
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(message.get("blocks") or [])
    return out


def assert_shown_not_obeyed(message: dict[str, Any]) -> None:
    texts = mrkdwn_texts(message)
    for text in texts:
        for bad in OBEYED:
            assert bad not in text, f"{bad!r} would be obeyed in {text[:300]!r}"
    assert any("&lt;!channel&gt;" in text for text in texts), "the hostile text is not shown at all"
