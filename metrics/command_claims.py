"""Each slash command answered once, across retries, replays and replicas; and none lost silently.

    if claim(engine, f"cmd:{trigger_id}", now_utc=now, command="/roi douyin", response_url=url):
        try: answer()
        finally: finish(engine, key, now_utc=later)
    for c in interrupted(engine, now_utc=now): ...      # claimed, never finished: the process died
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from metrics.schema_jobs import command_claims

# a trigger id is good for 30 minutes and a signature for 5: a day is ample
KEEP = timedelta(days=1)
# an answer takes seconds; one still open after this was lost with its process
LOST_AFTER = timedelta(minutes=2)
# Slack accepts a response_url for 30 minutes: past that nobody can be told any more
TELL_WITHIN = timedelta(minutes=30)


@dataclass(frozen=True)
class Claim:
    key: str
    claimed_at: datetime
    command: str | None
    user_id: str | None
    response_url: str | None


def claim(engine: Engine, key: str, *, now_utc: datetime, command: str | None = None, user_id: str | None = None,
          response_url: str | None = None) -> bool:
    try:
        with engine.begin() as conn:
            conn.execute(insert(command_claims).values(
                key=key[:64], claimed_at=now_utc, command=(command or "")[:255] or None, user_id=user_id,
                response_url=(response_url or "")[:512] or None))
    except IntegrityError:
        return False
    return True


def finish(engine: Engine, key: str, *, now_utc: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(update(command_claims).where(and_(command_claims.c.key == key[:64],
                                                       command_claims.c.done_at.is_(None))).values(done_at=now_utc))


def interrupted(engine: Engine, *, now_utc: datetime) -> list[Claim]:
    """Commands claimed long enough ago to be lost, recently enough to tell the user."""
    c = command_claims.c
    with engine.connect() as conn:
        rows = conn.execute(select(c.key, c.claimed_at, c.command, c.user_id, c.response_url).where(and_(
            c.done_at.is_(None), c.claimed_at < now_utc - LOST_AFTER, c.claimed_at >= now_utc - TELL_WITHIN,
        )).order_by(c.claimed_at)).all()
    return [Claim(*r) for r in rows]


def close_lost(engine: Engine, key: str, *, now_utc: datetime) -> bool:
    """Close a lost claim; False when another replica closed it first (so only one tells the user)."""
    with engine.begin() as conn:
        done = conn.execute(update(command_claims).where(and_(command_claims.c.key == key,
                                                              command_claims.c.done_at.is_(None)))
                            .values(done_at=now_utc))
    return bool(done.rowcount)


def prune(engine: Engine, *, now_utc: datetime) -> int:
    with engine.begin() as conn:
        return conn.execute(delete(command_claims).where(command_claims.c.claimed_at < now_utc - KEEP)).rowcount
