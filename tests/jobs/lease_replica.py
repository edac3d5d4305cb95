"""A bot replica whose one job can be made to hang, for the killed-mid-run tests (its own process).

    python -m tests.jobs.lease_replica DATABASE_URL SLACK_API_URL SLOT_EPOCH MODE SECONDS MARKER

The `report` job has one firing, at SLOT_EPOCH, and posts `report <slot>` to the reports channel.
MODE says what its run does: `hang` writes MARKER and blocks before posting, `post-then-hang`
posts, writes MARKER and blocks; `run` just posts (`slow`: after 3 s). A hanging replica is killed by the test; the
others run their scheduler for SECONDS, as a restarted bot would.
"""

from __future__ import annotations

import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from apscheduler.triggers.date import DateTrigger

from bot.app import web_client
from bot.config import load_settings
from handlers.delivery import Pacer, Poster
from jobs.kit.context import JobContext, Outcome
from jobs.kit.registry import JobSpec, build_plan
from jobs.kit.scheduler import JobScheduler
from metrics.runtime import build_deps

REPORTS, OPS = "C0REPORTS", "C0OPS"
LEASE_SECONDS = 1.5
MODE = "run"
MARKER = ""


def run(ctx: JobContext) -> Outcome:
    text = f"report {ctx.now.isoformat()}"
    if MODE == "post-then-hang":
        ctx.poster.post(REPORTS, text=text)
    if MODE == "slow":
        time.sleep(3)  # twice the test lease: only heartbeats keep the run alive
    if MODE in ("hang", "post-then-hang"):
        Path(MARKER).write_text(str(ctx.run_id))
        threading.Event().wait()  # until the test kills this process
    if MODE != "post-then-hang":
        ctx.poster.post(REPORTS, text=text)
    return Outcome.posted(1)


def main() -> None:
    url, api_url, slot_epoch, mode, seconds, marker = sys.argv[1:7]
    # the job reads MODE from the module imported by name, a different module object from __main__
    import tests.jobs.lease_replica as job_module

    job_module.MODE, job_module.MARKER = mode, marker
    settings = load_settings(_env_file=None, database_url=url, slack_bot_token="xoxb-test", slack_api_url=api_url,
                             ops_channel=OPS, reports_channel=REPORTS, bot_timezone="Asia/Shanghai",
                             job_lease_seconds=LEASE_SECONDS)
    deps = build_deps(settings)
    slot = datetime.fromtimestamp(float(slot_epoch), UTC).astimezone(settings.tz)
    spec = JobSpec("report", "0 9 * * *", job_module.run, grace=timedelta(minutes=5))
    plan = build_plan(settings, (spec,), triggers={"report": DateTrigger(run_date=slot)})
    scheduler = JobScheduler(deps, plan=plan, poster=Poster(web_client(deps), pacer=Pacer(0)))
    scheduler.start()
    time.sleep(float(seconds))
    scheduler.shutdown(wait=True)


if __name__ == "__main__":
    main()
