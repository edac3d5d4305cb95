"""Small formatting helpers of the analysis views (/abtest, /rfm, /retention). Pure.

    esc("<b>&co")          # "&lt;b&gt;&amp;co": imported names go into mrkdwn safely
    p_text(0.01234)        # "p = 0.012" (two significant digits)
    table([["cohort", "size"], ["2026-05", "679"]])   # aligned columns for a ``` block
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def esc(text: str) -> str:
    """Escape untrusted text for Slack mrkdwn: &, <, > (Slack's own three control characters)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def code(text: str) -> str:
    """Untrusted text as inline code: escaped, and a backtick cannot end the code span early."""
    return "`" + esc(text).replace("`", "'") + "`"


def p_text(p: float) -> str:
    """"p = 0.012", "p = 2.5e-10"; below double precision "p < 1e-16" (an exact 0 would be a lie)."""
    if p < 1e-16:
        return "p < 1e-16"
    return f"p = {p:#.2g}".replace("e-0", "e-")


def pct(value: float | None, places: int = 1) -> str:
    return "n/a" if value is None else f"{value * 100:.{places}f}%"


def signed_pct(value: float | None, places: int = 1) -> str:
    return "n/a" if value is None else f"{value * 100:+.{places}f}%"


def width(text: str) -> int:
    """Display width in a monospace block: CJK characters take two cells."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(rows: Sequence[Sequence[str]], right: Sequence[bool] | None = None) -> str:
    """Rows of cells as aligned lines (first column left, the rest right unless `right` says otherwise)."""
    if not rows:
        return ""
    columns = max(len(r) for r in rows)
    widths = [max(width(r[i]) if i < len(r) else 0 for r in rows) for i in range(columns)]
    align = list(right) if right is not None else [i > 0 for i in range(columns)]
    lines = []
    for r in rows:
        cells = []
        for i, cell in enumerate(r):
            pad = " " * (widths[i] - width(cell))
            cells.append(pad + cell if align[i] else cell + pad)
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def code_block(text: str) -> str:
    return f"```\n{text}\n```"
