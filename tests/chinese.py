"""Checks that a zh reply is Chinese: no English word is left in its text, its chart title or its axes,
apart from an explicit allow-list of what a Chinese ops team writes in Latin letters too; large amounts in 万.

    assert english_words(block_text(message["blocks"])) == []
    assert wan(Decimal("1234567")) in text          # ¥123.5万
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from matplotlib.figure import Figure

# metric acronyms used as they are in Chinese ops (GMV, UV, CVR, AOV, ROI, LTV, RFM and its R/F/M scores, ABC
# classes A/B/C, A/B tests), the p of a p-value and the z of a z-test, N of 近N天, the config names the reader
# types back, the IANA zone and the bot's own name
ALLOWED = {"ROI", "GMV", "CPC", "CTR", "UV", "PV", "CVR", "AOV", "SKU", "LTV", "RFM", "CRM", "R", "F", "M", "FM",
           "ABC", "A", "B", "C", "p", "z", "N", "ROI_BASIS", "Asia", "Shanghai", "ecombot"}
_EMOJI = re.compile(r":[a-z0-9_+-]+:")
_MENTION = re.compile(r"<[@#!][^>]*>")
_CODE = re.compile(r"`[^`]*`")  # commands and slugs the reader types back as they are
_NUMBER = re.compile(r"\d(?:\.\d+)?e[-+]?\d+")  # 6.6e-6: a figure, not a word
_WORD = re.compile(r"[A-Za-z][A-Za-z_]*")


def english_words(text: str, allowed: Iterable[str] = ()) -> list[str]:
    """The Latin-letter words of `text` outside the allow-list (and `allowed`, e.g. the data's own names)."""
    ok = ALLOWED | set(allowed)
    text = _NUMBER.sub(" ", _CODE.sub(" ", _MENTION.sub(" ", _EMOJI.sub(" ", text))))
    return [w for w in _WORD.findall(text) if w not in ok]


def wan(value: Decimal) -> str:
    """How a zh reply writes an amount of 10万 to 1亿: ¥123.5万."""
    return f"¥{(value / 10_000).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}万"


def chart_texts(fig: Figure) -> list[str]:
    """Every title, axis label, tick label and annotation a chart draws."""
    out: list[str] = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        legend = ax.get_legend()
        out += [ax.get_title(loc="left"), ax.get_title(), ax.get_xlabel(), ax.get_ylabel(),
                *(t.get_text() for t in [*ax.get_xticklabels(), *ax.get_yticklabels(), *ax.texts]),
                *([t.get_text() for t in legend.get_texts()] if legend is not None else [])]
    return [s for s in out if s]


def assert_chart_in_chinese(figures: list[Figure], allowed: Iterable[str] = ()) -> None:
    assert figures, "no chart was drawn"
    for fig in figures:
        texts = chart_texts(fig)
        assert english_words("\n".join(texts), allowed) == [], texts
        for ax in fig.axes:
            assert "年" in ax.get_xlabel() or not ax.get_xlabel()
