"""One bot replica's scheduler, for the exactly-once test (run in its own process).

    python -m tests.jobs.replica DATABASE_URL SLACK_API_URL START_EPOCH SECONDS

A `tick` job fires every second from START_EPOCH on for SECONDS and posts its slot to the ops
channel; the process prints how its firings went (`{"ok": 2, "taken": 1}`) as one JSON line.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

from bot.app import web_client
from bot.config import load_settings
from handlers.delivery import Poster
from jobs.kit.context import JobContext, Outcome
from jobs.kit.registry import JobSpec, build_plan
from jobs.kit.runner import RunResult
from jobs.kit.scheduler import JobScheduler
from metrics.runtime import build_deps

OPS = "C0OPS"


def run(ctx: JobContext) -> Outcome:
    ctx.poster.post(OPS, text=f"tick {ctx.now.isoformat()}")
    return Outcome.posted(1)


class CountingScheduler(JobScheduler):
    outcomes: Counter[str] = Counter()

    def run_slot(self, name: str, slot: datetime, trigger: str) -> RunResult:
        result = super().run_slot(name, slot, trigger)
        self.outcomes[result.status] += 1
        return result


def main() -> None:
    url, api_url, start, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    settings = load_settings(_env_file=None, database_url=url, slack_bot_token="xoxb-test", slack_api_url=api_url,
                             ops_channel=OPS, bot_timezone="Asia/Shanghai")
    deps = build_deps(settings)
    spec = JobSpec("tick", "* * * * *", run, grace=timedelta(seconds=5))
    plan = build_plan(settings, (spec,),
                      triggers={"tick": CronTrigger(second="*", timezone=settings.tz)})
    scheduler = CountingScheduler(deps, plan=plan, poster=Poster(web_client(deps)))
    time.sleep(max(0.0, start - time.time()))
    scheduler.start()
    time.sleep(seconds)
    scheduler.shutdown(wait=True)
    print(json.dumps(dict(scheduler.outcomes)))


if __name__ == "__main__":
    main()
