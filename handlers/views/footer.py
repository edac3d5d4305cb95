"""The "data as of …" line every message carries (newest imported date per source)."""

from __future__ import annotations

from sqlalchemy import Connection

from handlers.views.texts import t
from metrics.runtime import Deps


def data_footer(conn: Connection, deps: Deps, sources: tuple[str, ...] = ("orders", "ad_spend")) -> str | None:
    from metrics.freshness import data_as_of

    as_of = data_as_of(conn)
    parts = [f"{name} {day.isoformat()}" for name in sources if (day := as_of.get(name)) is not None]
    return t("footer.data_as_of", deps.locale, when=", ".join(parts)) if parts else None
