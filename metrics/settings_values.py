"""How the settings' composite values are read from their environment strings (SPEC §9).

    ratio_map("douyin=1.8,tmall=2.0")             # {"douyin": Decimal("1.8"), "tmall": Decimal("2.0")}
    schedule_map("daily-report=0 9 * * *")        # {"daily-report": "0 9 * * *"}

Each raises ValueError with a message that names the bad item; `metrics.settings` wraps them as
field validators, so the error names the variable too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any


def split(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return tuple(str(v).strip() for v in value if str(v).strip())


def ratio_map(value: Any) -> dict[str, Decimal]:
    """`douyin=2.5,tmall=1:3` → {"douyin": 2.5, "tmall": 3}. A `1:` prefix is accepted as ROI notation."""
    if isinstance(value, dict):
        return {str(k): Decimal(str(v)) for k, v in value.items()}
    out: dict[str, Decimal] = {}
    for item in split(value):
        key, sep, raw = item.partition("=")
        if not sep:
            raise ValueError(f"expected name=value, got {item!r}")
        out[key.strip().lower()] = ratio(raw)
    return out


def ratio(raw: Any) -> Decimal:
    text = str(raw).strip()
    if text.startswith("1:"):
        text = text[2:]
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{raw!r} is not a number") from None
    if not value.is_finite() or value <= 0:
        raise ValueError(f"{raw!r} must be a positive number")
    return value


def pairs(value: Any, what: str) -> dict[str, str]:
    """`a=1;b=2` (or `,` between items) → {"a": "1", "b": "2"}."""
    if isinstance(value, dict):
        return {str(k).strip(): str(v).strip() for k, v in value.items()}
    out: dict[str, str] = {}
    for item in re.split(r"[;,]", value or ""):
        if item.strip():
            key, sep, raw = item.partition("=")
            if not sep or not key.strip():
                raise ValueError(f"expected {what}, got {item.strip()!r}")
            out[key.strip()] = raw.strip()
    return out


def grace_map(value: Any) -> dict[str, float]:
    """`daily-report=90;roi-guard=15` → minutes per job name (unknown names are checked by the job plan)."""
    out: dict[str, float] = {}
    for name, raw in pairs(value, "job-name=minutes").items():
        try:
            minutes = float(raw)
        except ValueError:
            raise ValueError(f"{name}={raw!r} is not a number of minutes") from None
        if not 0 <= minutes <= 7 * 24 * 60:
            raise ValueError(f"{name}={raw!r} must be between 0 and 10080 minutes")
        out[name] = minutes
    return out


_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def targets_map(value: Any) -> dict[str, Decimal]:
    """`2026-11=5000000;2026-12=6,000,000` → {"2026-11": Decimal("5000000"), …}; `;` between months."""
    if isinstance(value, dict):
        return {str(k): Decimal(str(v)) for k, v in value.items()}
    out: dict[str, Decimal] = {}
    for item in (value or "").split(";"):
        if not item.strip():
            continue
        key, sep, raw = item.partition("=")
        key = key.strip()
        try:
            amount = Decimal(raw.strip().replace(",", ""))
        except InvalidOperation:
            amount = Decimal("NaN")
        if not sep or not _MONTH.fullmatch(key) or not amount.is_finite() or amount <= 0:
            raise ValueError(f"{item.strip()!r} is not YYYY-MM=amount (a positive amount)")
        out[key] = amount
    return out


@dataclass(frozen=True)
class CampaignWindow:
    name: str
    start: date
    end: date  # inclusive


def parse_campaign_windows(value: Any) -> tuple[CampaignWindow, ...]:
    """`双11=2026-11-01..2026-11-11;618=2026-06-01..2026-06-18` (a single date is a one-day window)."""
    if isinstance(value, tuple | list):
        return tuple(value)
    out: list[CampaignWindow] = []
    for item in (value or "").split(";"):
        if not item.strip():
            continue
        name, sep, span = item.partition("=")
        first, _, last = span.strip().partition("..")
        try:
            if not sep or not name.strip():
                raise ValueError
            start = date.fromisoformat(first.strip())
            end = date.fromisoformat(last.strip()) if last else start
        except ValueError:
            raise ValueError(f"{item.strip()!r} is not name=YYYY-MM-DD..YYYY-MM-DD") from None
        if end < start:
            raise ValueError(f"{item.strip()!r} ends before it starts")
        out.append(CampaignWindow(name.strip(), start, end))
    return tuple(out)


ALERT_KINDS = ("stock", "incident", "roi", "campaign", "stale")
_SLACK_ID = re.compile(r"[UWS][A-Z0-9]{2,}")


def responders(value: Any) -> dict[str, tuple[str, ...]]:
    """`stock=U1,S2;incident=U3` → {"stock": ("U1", "S2"), "incident": ("U3",)}; `;` between kinds."""
    if isinstance(value, dict):
        return {str(k): tuple(v) for k, v in value.items()}
    out: dict[str, tuple[str, ...]] = {}
    for item in (value or "").split(";"):
        if not item.strip():
            continue
        kind, sep, ids = item.partition("=")
        kind = kind.strip()
        if not sep or kind not in ALERT_KINDS:
            raise ValueError(f"{item.strip()!r}: expected KIND=ID,ID with KIND one of {', '.join(ALERT_KINDS)}")
        entries = split(ids)
        bad = [e for e in entries if not _SLACK_ID.fullmatch(e)]
        if bad:
            raise ValueError(f"{kind}: {bad[0]!r} is not a Slack user (U…/W…) or user group (S…) id")
        out[kind] = entries
    return out


_CRON_FIELDS = 5


def schedule_map(value: Any) -> dict[str, str]:
    """`daily-report=0 9 * * *;stock-alerts=30 8,14 * * *` → {name: cron}. `;` separates jobs."""
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    out: dict[str, str] = {}
    for item in (value or "").split(";"):
        if not item.strip():
            continue
        key, sep, cron = item.partition("=")
        if not sep or len(cron.split()) != _CRON_FIELDS:
            raise ValueError(f"expected job-name=<5-field cron>, got {item.strip()!r}")
        out[key.strip()] = " ".join(cron.split())
    return out


# make_url: importing SQLAlchemy costs 0.3 s, a third of `ecombot sentiment classify` on 10k rows,
# which never opens the database. tests/test_config.py holds the two to the same verdicts.
_DB_URL = re.compile(
    r"(?P<name>[\w+]+)://(?:(?P<username>[^:/]*)(?::(?P<password>[^@]*))?@)?"
    r"(?:(?:\[[^/?]+\]|[^/:?]+)?(?::(?P<port>[^/?]*))?)?"
)


def is_db_url(url: str) -> bool:
    m = _DB_URL.match(url)
    if m is None:
        return False
    try:
        if m["port"] is not None:  # present, even empty, it must be a number, as make_url reads it
            int(m["port"])
    except ValueError:
        return False
    return True


def redact(url: str) -> str:
    m = _DB_URL.match(url)
    if m is None or m["password"] is None:
        return url
    return url[: m.start("password")] + "***" + url[m.end("password") :]
