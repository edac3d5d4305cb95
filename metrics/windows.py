"""Reporting windows: whole days in BOT_TIMEZONE (SPEC §4).

    w = parse_window("7d", today=date(2026, 11, 25))   # 2026-11-18..2026-11-24
    w.previous()                                        # 2026-11-11..2026-11-17
"""

from __future__ import annotations

import re
import unicodedata
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


# what an error echoes of the typed text: a 100 KB token must not come back whole
ECHO_CHARS = 40


def echo(text: str, limit: int = ECHO_CHARS) -> str:
    """The typed word as an error quotes it: cut short, backticks dropped so the quote stays one."""
    text = text.replace("`", "'")
    return text if len(text) <= limit else text[: limit - 1] + "…"


class WindowError(ValueError):
    """`code` names the reason for translated texts ("window.reason.<code>"); `params` fill it."""

    def __init__(self, text: str, reason: str = "", *, code: str | None = None, **params: object) -> None:
        self.text = text
        self.code = code
        self.params = params
        why = f" ({reason})" if reason else ""
        super().__init__(f"`{echo(text)}` is not a window{why}. Use {GRAMMAR}.")


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

    def last_year(self) -> Window:
        """The same calendar days a year earlier (29 February falls back to the 28th)."""
        return Window(_year_back(self.start), _year_back(self.end), f"{self.label} -1y")

    def utc_bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """[start, end) as naive UTC datetimes, for timestamp columns."""
        lo = datetime.combine(self.start, time(), tz)
        hi = datetime.combine(self.end + timedelta(days=1), time(), tz)
        return utc_naive(lo), utc_naive(hi)

    def __str__(self) -> str:
        if self.start == self.end:
            return self.start.isoformat()
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


# ASCII digits only: full-width ones (a Chinese IME's ７) become ASCII through NFKC first, and
# other scripts' digits are refused rather than read by int()
_ND = re.compile(r"^([0-9]{1,4})d$")
_ND_ZH = re.compile(r"^(?:近|最近|过去)?([0-9]{1,4})(?:天|日)$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
# the Chinese words a team types (seed 003 writes 近7天, 本月, 上周)
ZH_WORDS = {
    "今天": "today", "今日": "today", "昨天": "yesterday", "昨日": "yesterday",
    "本周": "wtd", "这周": "wtd", "本月": "mtd", "这个月": "mtd",
    "上周": "last-week", "上个月": "last-month", "上月": "last-month",
}


def normalise(text: str) -> str:
    """NFKC (full-width ７ｄ → 7d, ２０２６－１１－０１ → 2026-11-01), trimmed, lower case."""
    return unicodedata.normalize("NFKC", text).strip().lower()


def parse_window(text: str | None, *, today: date) -> Window:
    raw = (text or DEFAULT_WINDOW).strip()
    key = normalise(raw)
    key = ZH_WORDS.get(key, key)
    if m := _ND_ZH.match(key):
        key = f"{m.group(1)}d"
    yesterday = today - timedelta(days=1)
    if key == "today":
        return Window(today, today, "today")
    if key == "yesterday":
        return Window(yesterday, yesterday, "yesterday")
    if m := _ND.match(key):
        n = int(m.group(1))
        if not 1 <= n <= MAX_DAYS:
            raise WindowError(raw, f"N must be between 1 and {MAX_DAYS}", code="days", max=MAX_DAYS)
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
            raise WindowError(raw, "the end is before the start", code="order")
        if (end - start).days + 1 > MAX_DAYS:
            raise WindowError(raw, f"at most {MAX_DAYS} days", code="long", max=MAX_DAYS)
        return Window(start, end, str(Window(start, end, "")))
    if _DATE.match(key):
        d = _date(key, raw)
        return Window(d, d, key)
    raise WindowError(raw)


def _date(text: str, raw: str) -> date:
    if not _DATE.match(text.strip()):
        raise WindowError(raw, f"`{echo(text)}` is not YYYY-MM-DD", code="format", part=echo(text))
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise WindowError(raw, f"`{echo(text)}` is not a calendar date", code="calendar", part=echo(text)) from None


def _year_back(d: date) -> date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:
        return d.replace(year=d.year - 1, day=28)
