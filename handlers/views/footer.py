"""The "data as of …" line every message carries (newest imported date per source). Pure.

    data_footer(data_as_of(conn), "en")      # "data as of orders 2026-11-30, ad_spend 2026-11-30"
    data_footer(data_as_of(conn), "zh")      # "数据截至 订单 2026-11-30, 广告花费 2026-11-30"
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from handlers.views.texts import t

SOURCES = ("orders", "ad_spend")


def source_names(sources: Sequence[str], locale: str) -> str:
    """"订单, 广告花费" in zh: a stale-data line names sources as the footer does, in the reader's language."""
    return ", ".join(t(f"source.{name}", locale) for name in sources)


def data_footer(as_of: Mapping[str, date | None], locale: str, sources: tuple[str, ...] = SOURCES) -> str | None:
    # the source's name in the reader's language (订单, 广告花费), not the table's name
    parts = [f"{t(f'source.{name}', locale)} {day.isoformat()}" for name in sources
             if (day := as_of.get(name)) is not None]
    return t("footer.data_as_of", locale, when=", ".join(parts)) if parts else None


def stale_notes(stale: Sequence[str], locale: str, hours: int) -> list[str]:
    """The line a report carries when some of its sources are stale (it still goes out, and says so)."""
    return [t("stale.line", locale, sources=source_names(stale, locale), hours=hours)] if stale else []
