"""Alert state in the database, so a restart or a second replica never re-alerts (no Slack here).

    d = decide(get(conn, "stock:SKU1"), "critical", now_utc=now)   # NEW, WORSE, REPEAT or QUIET
    raise_alert(conn, key="stock:SKU1", kind="stock", severity="critical", channel="C1", ts="1.2", ...)
    acknowledge(conn, "stock:SKU1", user="U1", now_utc=now); snooze(...); resolve(...)

An alert stays quiet while it is open, acknowledged or snoozed at the same (or a milder) severity;
it speaks again when it gets worse, when its snooze ends, or after it was resolved. Times are
naive UTC like every timestamp column.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, select, update

from metrics.schema_jobs import alert_messages, alert_state

OPEN, ACKNOWLEDGED, SNOOZED, RESOLVED = "open", "acknowledged", "snoozed", "resolved"
ACTIVE = (OPEN, ACKNOWLEDGED, SNOOZED)
# how bad a severity is; a move to a higher rank is a worsening and is posted
RANK = {"info": 0, "overstock": 1, "dead": 1, "warning": 1, "critical": 2}
SNOOZE = timedelta(hours=24)


class Decision(Enum):
    NEW = "new"  # never seen, or resolved since: post in a new message
    WORSE = "worse"  # active but more severe now: post in a new message
    REPEAT = "repeat"  # snooze ended and still firing: post in the thread of the original
    QUIET = "quiet"  # already told: stay silent


@dataclass(frozen=True)
class Alert:
    key: str
    kind: str
    status: str
    severity: str
    snoozed_until: datetime | None
    channel: str | None
    ts: str | None
    detail: dict[str, Any]
    opened_at: datetime
    updated_at: datetime
    acted_by: str | None
    acted_at: datetime | None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE


def _alert(row: Any) -> Alert:
    m = row._mapping
    return Alert(
        key=m["key"], kind=m["kind"], status=m["status"], severity=m["severity"],
        snoozed_until=m["snoozed_until"], channel=m["channel"], ts=m["ts"],
        detail=json.loads(m["detail"]) if m["detail"] else {}, opened_at=m["opened_at"],
        updated_at=m["updated_at"], acted_by=m["acted_by"], acted_at=m["acted_at"],
    )


def get(conn: Connection, key: str) -> Alert | None:
    row = conn.execute(select(alert_state).where(alert_state.c.key == key)).first()
    return None if row is None else _alert(row)


def of_kind(conn: Connection, kind: str, *, active_only: bool = True) -> dict[str, Alert]:
    cond = alert_state.c.kind == kind
    if active_only:
        cond = and_(cond, alert_state.c.status.in_(ACTIVE))
    return {a.key: a for a in map(_alert, conn.execute(select(alert_state).where(cond)))}


def count_active(conn: Connection) -> dict[str, int]:
    """kind → number of alerts not yet resolved (for the daily report)."""
    out: dict[str, int] = {}
    for a in map(_alert, conn.execute(select(alert_state).where(alert_state.c.status.in_(ACTIVE)))):
        out[a.kind] = out.get(a.kind, 0) + 1
    return out


def decide(prev: Alert | None, severity: str, *, now_utc: datetime) -> Decision:
    """What to do with an alert that fires now at `severity`, given what was said before."""
    if prev is None or not prev.active:
        return Decision.NEW
    if RANK.get(severity, 0) > RANK.get(prev.severity, 0):
        return Decision.WORSE
    if prev.status == SNOOZED and prev.snoozed_until is not None and prev.snoozed_until <= now_utc:
        return Decision.REPEAT
    return Decision.QUIET


def raise_alert(
    conn: Connection,
    *,
    key: str,
    kind: str,
    severity: str,
    channel: str | None,
    ts: str | None,
    detail: Mapping[str, Any],
    now_utc: datetime,
) -> None:
    """Record an alert as posted (new, worse or re-opened): status open, pointing at its message."""
    values = {"kind": kind, "status": OPEN, "severity": severity, "snoozed_until": None, "channel": channel,
              "ts": ts, "detail": json.dumps(dict(detail), ensure_ascii=False, default=str),
              "updated_at": now_utc, "acted_by": None, "acted_at": None}
    if get(conn, key) is None:
        conn.execute(insert(alert_state).values(key=key, opened_at=now_utc, **values))
    else:
        conn.execute(update(alert_state).where(alert_state.c.key == key).values(opened_at=now_utc, **values))


def reopen(conn: Connection, key: str, *, now_utc: datetime) -> None:
    """A repeat after a snooze: open again, same original message."""
    conn.execute(update(alert_state).where(alert_state.c.key == key)
                 .values(status=OPEN, snoozed_until=None, updated_at=now_utc))


def set_severity(conn: Connection, key: str, severity: str, *, now_utc: datetime) -> None:
    """A milder severity is recorded silently, so a later worsening is seen as one."""
    conn.execute(update(alert_state).where(alert_state.c.key == key).values(severity=severity, updated_at=now_utc))


def update_detail(conn: Connection, key: str, changes: Mapping[str, Any], *, now_utc: datetime) -> Alert | None:
    """Merge `changes` into an alert's detail (e.g. a grown count, a reminder sent), status untouched."""
    prev = get(conn, key)
    if prev is None:
        return None
    detail = {**prev.detail, **changes}
    conn.execute(update(alert_state).where(alert_state.c.key == key).values(
        detail=json.dumps(detail, ensure_ascii=False, default=str), updated_at=now_utc))
    return get(conn, key)


def _act(conn: Connection, key: str, allowed: Sequence[str], **values: Any) -> Alert | None:
    """Apply a transition if the alert is in one of `allowed`; return the new state or None."""
    prev = get(conn, key)
    if prev is None or prev.status not in allowed:
        return None
    conn.execute(update(alert_state).where(alert_state.c.key == key).values(**values))
    return get(conn, key)


def acknowledge(conn: Connection, key: str, *, user: str, now_utc: datetime) -> Alert | None:
    return _act(conn, key, (OPEN, SNOOZED), status=ACKNOWLEDGED, snoozed_until=None, acted_by=user,
                acted_at=now_utc, updated_at=now_utc)


def snooze(conn: Connection, key: str, *, user: str, now_utc: datetime, hours: float = 24) -> Alert | None:
    return _act(conn, key, (OPEN, ACKNOWLEDGED, SNOOZED), status=SNOOZED,
                snoozed_until=now_utc + timedelta(hours=hours), acted_by=user, acted_at=now_utc,
                updated_at=now_utc)


def resolve(conn: Connection, key: str, *, now_utc: datetime, user: str | None = None) -> Alert | None:
    return _act(conn, key, ACTIVE, status=RESOLVED, snoozed_until=None, acted_by=user, acted_at=now_utc,
                updated_at=now_utc)


def paused_channels(conn: Connection) -> list[str]:
    """Sales channels whose spend the ROI guard paused and nobody resumed yet (SPEC §6)."""
    return sorted(a.detail.get("channel", a.key.removeprefix("roi:")) for a in of_kind(conn, "roi").values())


# -- the body of alert messages, for edits in place ------------------------------------------------


def save_message(conn: Connection, *, channel: str, ts: str, text: str, blocks: list[dict[str, Any]],
                 now_utc: datetime) -> None:
    body = json.dumps(blocks, ensure_ascii=False)
    found = conn.execute(select(alert_messages.c.ts).where(
        and_(alert_messages.c.channel == channel, alert_messages.c.ts == ts))).first()
    if found is None:
        conn.execute(insert(alert_messages).values(channel=channel, ts=ts, text=text, blocks=body, updated_at=now_utc))
    else:
        conn.execute(update(alert_messages).where(and_(alert_messages.c.channel == channel, alert_messages.c.ts == ts))
                     .values(text=text, blocks=body, updated_at=now_utc))


def load_message(conn: Connection, *, channel: str, ts: str) -> tuple[str, list[dict[str, Any]]] | None:
    row = conn.execute(select(alert_messages.c.text, alert_messages.c.blocks).where(
        and_(alert_messages.c.channel == channel, alert_messages.c.ts == ts))).first()
    return None if row is None else (str(row[0]), list(json.loads(row[1])))


def prune_messages(conn: Connection, *, before_utc: datetime) -> int:
    """Forget message bodies nobody will edit any more (same retention as the run log)."""
    return conn.execute(delete(alert_messages).where(alert_messages.c.updated_at < before_utc)).rowcount or 0


__all__ = [
    "ACKNOWLEDGED", "ACTIVE", "OPEN", "RESOLVED", "SNOOZED", "Alert", "Decision", "acknowledge", "count_active",
    "decide", "get", "load_message", "of_kind", "paused_channels", "raise_alert", "reopen", "resolve",
    "save_message", "set_severity", "snooze", "update_detail",
]
