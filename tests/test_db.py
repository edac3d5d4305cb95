from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, func, select

from metrics import schema
from metrics.db import current_revision, head_revision, upsert


def test_schema_is_at_head(engine: Engine) -> None:
    with engine.connect() as conn:
        assert current_revision(conn) == head_revision()


def test_upsert_inserts_then_updates_by_key(engine: Engine) -> None:
    rows = [
        {"date": date(2026, 11, d), "channel": "douyin", "uv": 100 * d, "pv": 300 * d, "cart_users": None}
        for d in range(1, 4)
    ]
    with engine.begin() as conn:
        first = upsert(conn, schema.traffic, rows)
    assert (first.inserted, first.updated) == (3, 0)

    changed = [dict(r, uv=int(str(r["uv"])) + 1) for r in rows[:2]] + [
        {"date": date(2026, 11, 9), "channel": "douyin", "uv": 5, "pv": 6, "cart_users": 1}
    ]
    with engine.begin() as conn:
        second = upsert(conn, schema.traffic, changed)
    assert (second.inserted, second.updated) == (1, 2)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.traffic)).scalar_one() == 4
        total = conn.execute(select(func.sum(schema.traffic.c.uv))).scalar_one()
    assert total == (100 + 1) + (200 + 1) + 300 + 5


def test_upsert_rolls_back_with_the_transaction(engine: Engine) -> None:
    rows = [{"date": date(2026, 11, 1), "channel": "jd", "uv": 1, "pv": 1, "cart_users": 0}]
    try:
        with engine.begin() as conn:
            upsert(conn, schema.traffic, rows)
            raise RuntimeError("bad row later in the file")
    except RuntimeError:
        pass
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.traffic)).scalar_one() == 0
