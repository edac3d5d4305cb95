"""Reporting windows: whole days in BOT_TIMEZONE (SPEC §4).

    w = parse_window("7d", today=date(2026, 11, 25))   # 2026-11-18..2026-11-24
    w.previous()                                        # 2026-11-11..2026-11-17
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from metrics.clock import utc_naive

GRAMMAR = (
    "today, yesterday, Nd (7d, 14d, 30d, 90d: N whole days ending yesterday), wtd, mtd, "
    "last-week, last-month, YYYY-MM-DD..YYYY-MM-DD, or one YYYY-MM-DD"
)
DEFAULT_WINDOW = "7d"
MAX_DAYS = 366 * 2


class WindowError(ValueError):
    def __init__(self, text: str, reason: str = "") -> None:
        self.text = text
        why = f" ({reason})" if reason else ""
        super().__init__(f"`{text}` is not a window{why}. Use {GRAMMAR}.")


@dataclass(frozen=True)
class Window:
    start: date
    end: date  # inclusive
    label: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]

    def previous(self) -> Window:
        """The window of the same length that ends the day before this one starts."""
        end = self.start - timedelta(days=1)
        return Window(end - timedelta(days=self.days - 1), end, f"previous {self.days}d")

    def shifted(self, days: int) -> Window:
        d = timedelta(days=days)
        return Window(self.start + d, self.end + d, f"{self.label} {days:+d}d")

    def utc_bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) as naive UTC datetimes, for timestamp columns."""
        lo = datetime.combine(self.start, time(), tz)
        hi = datetime.combine(self.end + timedelta(days=1), time(), tz)
        return utc_naive(lo), utc_naive(hi)

    def __str__(self) -> str:
        if self.start == self.end:
            return self.start.isoformat()
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


_ND = re.compile(r"^(\d{1,4})d$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_window(text: str | None, *, today: date) -> Window:
    raw = (text or DEFAULT_WINDOW).strip()
    key = raw.lower()
    yesterday = today - timedelta(days=1)
    if key == "today":
        return Window(today, today, "today")
    if key == "yesterday":
        return Window(yesterday, yesterday, "yesterday")
    if m := _ND.match(key):
        n = int(m.group(1))
        if not 1 <= n <= MAX_DAYS:
            raise WindowError(raw, f"N must be between 1 and {MAX_DAYS}")
        return Window(yesterday - timedelta(days=n - 1), yesterday, f"{n}d")
    if key == "wtd":
        return Window(today - timedelta(days=today.weekday()), today, "wtd")
    if key == "mtd":
        return Window(today.replace(day=1), today, "mtd")
    if key == "last-week":
        monday = today - timedelta(days=today.weekday() + 7)
        return Window(monday, monday + timedelta(days=6), "last-week")
    if key == "last-month":
        end = today.replace(day=1) - timedelta(days=1)
        return Window(end.replace(day=1), end, "last-month")
    if ".." in key:
        lo, _, hi = key.partition("..")
        start, end = _date(lo, raw), _date(hi, raw)
        if end < start:
            raise WindowError(raw, "the end is before the start")
        if (end - start).days + 1 > MAX_DAYS:
            raise WindowError(raw, f"at most {MAX_DAYS} days")
        return Window(start, end, str(Window(start, end, "")))
    if _DATE.match(key):
        d = _date(key, raw)
        return Window(d, d, key)
    raise WindowError(raw)


def _date(text: str, raw: str) -> date:
    if not _DATE.match(text.strip()):
        raise WindowError(raw, f"`{text}` is not YYYY-MM-DD")
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise WindowError(raw, f"`{text}` is not a calendar date") from None
