"""`/report daily|weekly|monthly [YYYY-MM-DD]`: the report the scheduled job posts, on demand, with its chart.

    /report daily                  what daily-report would post now (yesterday)
    /report weekly 2026-11-18      the Monday–Sunday week of that day
    /report 月报 2026-10-05         October 2026

The content comes from `metrics.reports` and is rendered by `handlers.views.reports`, exactly as the
jobs do, so the command and the channel's scheduled post say the same thing for the same period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from slack_sdk import WebClient

from handlers.commands.kit import CommandSpec, HelpRow, Invocation, UsageError
from handlers.views import reports as views
from handlers.views.footer import data_footer, stale_notes
from handlers.views.message import Message
from handlers.views.texts import t
from metrics import reports
from metrics.clock import utc_naive
from metrics.freshness import data_as_of, data_since, stale_sources
from metrics.reports import Kind
from metrics.runtime import Deps
from metrics.windows import normalise

WORDS: dict[str, Kind] = {
    "daily": "daily", "day": "daily", "日报": "daily", "每日": "daily",
    "weekly": "weekly", "week": "weekly", "周报": "weekly", "每周": "weekly",
    "monthly": "monthly", "month": "monthly", "月报": "monthly", "每月": "monthly",
}


class ReportDateError(ValueError):
    """A date the report cannot be had for; `code` names the sentence (report.err.<code>), `params` fill it."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class ReportArgs:
    kind: Kind
    as_of: date | None  # None: what the job would post now


def parse(deps: Deps, text: str) -> ReportArgs:
    words = normalise(text).split()
    if not 1 <= len(words) <= 2 or words[0] not in WORDS:
        raise UsageError(text or "report")
    kind = WORDS[words[0]]
    if len(words) == 1:
        return ReportArgs(kind, None)
    try:
        as_of = date.fromisoformat(words[1]) if len(words[1]) == 10 else None
    except ValueError:
        as_of = None
    if as_of is None:
        raise UsageError(words[1])
    today = deps.today()
    if as_of > today:
        raise ReportDateError("future", date=as_of.isoformat(), today=today.isoformat())
    if reports.posting_day(kind, as_of) > today:  # the day, week or month is not over: the job has not run yet
        latest = reports.period(kind, today)
        raise ReportDateError(f"not_over.{kind}", date=as_of.isoformat(), start=latest.start.isoformat(),
                              end=latest.end.isoformat(), month=latest.start.strftime("%Y-%m"))
    return ReportArgs(kind, as_of)


def describe(deps: Deps, exc: Exception, locale: str) -> str | None:
    if isinstance(exc, ReportDateError):
        return t(f"report.err.{exc.code}", locale, **exc.params)
    if isinstance(exc, UsageError):
        return t("err.usage", locale, usage=t("usage.report", locale), example="/report weekly 2026-11-18")
    return None


def build(deps: Deps, kind: Kind, today: date, locale: str) -> tuple[Message, bool]:
    """The report a job running on `today` posts, in `locale`, and whether it had nothing to say."""
    settings = deps.settings
    channels = deps.registry.channels
    with deps.engine.connect() as conn:
        footer = data_footer(data_as_of(conn), locale, reports.SOURCES)
        stale = stale_sources(conn, now_utc=utc_naive(deps.now()), max_age_hours=settings.stale_data_hours,
                              sources=reports.SOURCES)
        notes = stale_notes(stale, locale, settings.stale_data_hours)
        if kind == "daily":
            daily = reports.daily_content(conn, today=today, channels=channels, basis=settings.roi_basis)
            return views.daily_view(daily, locale=locale, footer=footer, notes=notes), daily.empty
        if kind == "weekly":
            weekly = reports.weekly_content(conn, today=today, channels=channels, basis=settings.roi_basis)
            floors = {c.slug: settings.floor_for(c.slug) for c in deps.registry}
            return (views.weekly_view(weekly, floors=floors, locale=locale, footer=footer, notes=notes),
                    weekly.empty)
        month = reports.period("monthly", today).start.strftime("%Y-%m")
        monthly = reports.monthly_content(conn, today=today, target=settings.monthly_gmv_targets.get(month))
        return views.monthly_view(monthly, locale=locale, footer=footer, notes=notes), monthly.empty


def answer(deps: Deps, args: ReportArgs, inv: Invocation, client: WebClient) -> Message:
    today = deps.today() if args.as_of is None else reports.posting_day(args.kind, args.as_of)
    covered = reports.period(args.kind, today)
    with deps.engine.connect() as conn:
        since = data_since(conn, reports.SOURCES)
    if since is None:
        raise ReportDateError("no_data")
    if covered.end < since:
        # a report of zeros for a period before the shop's data began would read as a collapse
        raise ReportDateError("before_data", start=covered.start.isoformat(), end=covered.end.isoformat(),
                              since=since.isoformat())
    message, _empty = build(deps, args.kind, today, inv.locale)
    return message


SPEC = CommandSpec(
    "/report", parse=parse, answer=answer, user_errors=(ReportDateError,), describe=describe,
    help=(HelpRow("usage.report", "/report weekly 2026-11-18", "help.report"),),
)
