"""Each slash command answered once, across retries, replays and replicas.

    if claim(engine, f"cmd:{trigger_id}", now_utc=now):   # False: answered already (or being answered)
        answer()
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, delete, insert
from sqlalchemy.exc import IntegrityError

from metrics.schema_jobs import command_claims

# a trigger id is good for 30 minutes and a signature for 5: a day is ample
KEEP = timedelta(days=1)


def claim(engine: Engine, key: str, *, now_utc: datetime) -> bool:
    try:
        with engine.begin() as conn:
            conn.execute(insert(command_claims).values(key=key[:64], claimed_at=now_utc))
    except IntegrityError:
        return False
    return True


def prune(engine: Engine, *, now_utc: datetime) -> int:
    with engine.begin() as conn:
        return conn.execute(delete(command_claims).where(command_claims.c.claimed_at < now_utc - KEEP)).rowcount
