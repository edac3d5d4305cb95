"""Building Slack mrkdwn safely: text that did not come from the bot is shown, never obeyed.

    escape("<!channel> 过敏 <https://evil.example|退款>")   # "&lt;!channel&gt; 过敏 &lt;https://evil.example|退款&gt;"
    Mrkdwn(f"<@{user}>")                                  # markup the bot wrote itself: kept as it is
    cjk_safe("GMV *¥54,441.94*（环比）")                    # bold that Slack renders next to CJK text

`handlers.views.texts.t` is where messages are put together: it escapes every value that is not
`Mrkdwn`, and returns `Mrkdwn`. Plain-text fields (headers, buttons) get the text back unescaped.
"""

from __future__ import annotations

import re


class Mrkdwn(str):
    """Text the bot wrote as mrkdwn itself (mentions, links, sentences of the catalogue)."""

    __slots__ = ()


def escape(text: object) -> str:
    """The three characters Slack reads as control sequences, as Slack asks them escaped."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """For plain_text fields, where Slack shows `&lt;` as it is: `<` is harmless there."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def value(v: object) -> str:
    return v if isinstance(v, Mrkdwn) else escape(v)


def mention(user: str) -> Mrkdwn:
    return Mrkdwn(f"<@{escape(user)}>")


def link(url: str, label: str) -> Mrkdwn:
    return Mrkdwn(f"<{escape(url)}|{escape(label).replace('|', '¦')}>")


# *bold* only renders when its asterisks stand next to a space or ASCII punctuation; next to a CJK
# character or full-width punctuation Slack shows the asterisks. A zero-width space outside the
# marker is a boundary Slack accepts and nobody sees.
_BOLD = re.compile(r"\*([^*\n]+?)\*")
_ZWSP = "\u200b"
_BOUNDARY = re.compile(r"[\s!-/:-@\[-`{-~]")


def cjk_safe(text: str) -> str:
    if "*" not in text:
        return text
    out: list[str] = []
    last = 0
    for m in _BOLD.finditer(text):
        start, end = m.span()
        inner = m.group(1)
        if inner != inner.strip():
            continue  # `* a *` is not formatting
        before = text[start - 1] if start > 0 else " "
        after = text[end] if end < len(text) else " "
        out.append(text[last:start])
        if not _BOUNDARY.match(before) and before != _ZWSP:
            out.append(_ZWSP)
        out.append(m.group(0))
        if not _BOUNDARY.match(after) and after != _ZWSP:
            out.append(_ZWSP)
        last = end
    out.append(text[last:])
    return "".join(out)
