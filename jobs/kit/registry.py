"""The jobs (SPEC §8) as data, and their schedules as configured.

    plan = build_plan(settings, jobs.JOBS)    # ScheduleError names a bad cron, job or time zone
    plan["daily-report"].trigger.get_next_fire_time(None, now)

Schedules are 5-field crontab lines in BOT_TIMEZONE, overridden per job by JOB_SCHEDULES
(`daily-report=0 8 * * *;stock-alerts=30 8,14,20 * * *`). Two more settings shape the plan:

- `JOB_GRACE_MINUTES` — `name=minutes;…`: how late a missed firing may still run (after a restart
  or a busy process). Defaults below.
- `JOB_SEND_EMPTY` — comma-separated job names that post even when they have nothing to say.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

from metrics.settings import Settings

if TYPE_CHECKING:
    from jobs.kit.context import JobContext, Outcome


class ScheduleError(ValueError):
    """A schedule cannot be used; the message names the job and what is wrong."""


@dataclass(frozen=True)
class JobSpec:
    name: str
    cron: str  # default schedule, crontab syntax, in BOT_TIMEZONE
    run: Callable[[JobContext], Outcome]
    grace: timedelta = timedelta(hours=1)
    send_empty: bool = False
    summary: str = ""


# -- crontab → APScheduler 3.x -----------------------------------------------------------------------

_DOW = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def _dow_numbers(part: str) -> list[int] | None:
    """Numeric day-of-week part (`1-5`, `*/2`, `0`, `1-7/2`) → crontab day numbers, 0 and 7 = Sunday."""
    base, _, step_s = part.partition("/")
    step = int(step_s) if step_s.isdigit() else 1
    if base == "*":
        lo, hi = 0, 6
    elif re.fullmatch(r"\d+", base):
        lo = hi = int(base)
        if step_s:
            hi = 6
    elif m := re.fullmatch(r"(\d+)-(\d+)", base):
        lo, hi = int(m.group(1)), int(m.group(2))
    else:
        return None
    if not (0 <= lo <= 7 and 0 <= hi <= 7 and lo <= hi and step >= 1):
        raise ValueError(f"day of week {part!r} is out of range 0-7")
    return list(range(lo, hi + 1, step))


def crontab_dow(field_text: str) -> str:
    """Crontab counts weekdays from Sunday = 0; APScheduler 3.x from Monday = 0. Use names instead."""
    if field_text == "*":
        return field_text
    names: list[str] = []
    for part in field_text.split(","):
        numbers = _dow_numbers(part)
        if numbers is None:
            names.append(part)  # already names (mon-fri): APScheduler reads those correctly
            continue
        names.extend(_DOW[n % 7] for n in numbers if _DOW[n % 7] not in names)
    return ",".join(names)


def cron_trigger(expr: str, tz: ZoneInfo) -> CronTrigger:
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(f"expected 5 fields (minute hour day month weekday), got {len(fields)}")
    minute, hour, day, month, dow = fields
    return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=crontab_dow(dow), timezone=tz)


# -- the plan ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    spec: JobSpec
    cron: str
    trigger: BaseTrigger
    grace: timedelta
    send_empty: bool
    overridden: bool = field(default=False)


def build_plan(
    settings: Settings,
    specs: Sequence[JobSpec],
    *,
    triggers: Mapping[str, BaseTrigger] | None = None,
) -> dict[str, Planned]:
    """Every available job with its trigger; raises ScheduleError with one line per problem."""
    jobs = {s.name: s for s in specs}
    problems: list[str] = []
    try:
        tz = ZoneInfo(settings.bot_timezone)
    except Exception:  # noqa: BLE001 - config validates this too; a plan must never start without a zone
        raise ScheduleError(f"BOT_TIMEZONE: {settings.bot_timezone!r} is not an IANA time zone") from None
    unknown = sorted(set(settings.job_schedules) - set(jobs))
    if unknown:
        problems.append(f"JOB_SCHEDULES: unknown job(s) {', '.join(unknown)}; known: {', '.join(jobs)}")
    grace_minutes = settings.job_grace_minutes
    send_empty = set(settings.job_send_empty)
    for name in sorted(set(grace_minutes) - set(jobs)):
        problems.append(f"JOB_GRACE_MINUTES: unknown job {name!r}")
    for name in sorted(send_empty - set(jobs)):
        problems.append(f"JOB_SEND_EMPTY: unknown job {name!r}")
    plan: dict[str, Planned] = {}
    for name, spec in jobs.items():
        expr = settings.job_schedules.get(name, spec.cron)
        grace = timedelta(minutes=grace_minutes[name]) if name in grace_minutes else spec.grace
        try:
            trigger = triggers[name] if triggers and name in triggers else cron_trigger(expr, tz)
        except ValueError as exc:
            problems.append(f"JOB_SCHEDULES: {name}={expr!r} is not a valid cron expression ({exc})")
            continue
        plan[name] = Planned(spec, expr, trigger, grace, spec.send_empty or name in send_empty,
                             overridden=name in settings.job_schedules)
    if problems:
        raise ScheduleError("invalid job schedule:\n  " + "\n  ".join(problems))
    return plan
