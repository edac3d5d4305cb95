"""Two scheduler processes against one PostgreSQL: each firing reaches Slack once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.sandbox import FakeSlack
from metrics.db import connect
from metrics.schema_jobs import job_runs
from tests.dbs import scratch_or_skip
from tests.jobs.conftest import OPS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from scratch_or_skip("postgresql", ": the two-replica test needs PostgreSQL")


def test_two_replicas_post_each_firing_once(pg_url: str, fake: FakeSlack) -> None:
    connect(pg_url).dispose()  # migrate once here, not in a race between the replicas
    env = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    start = time.time() + 3  # both processes have imported everything by then
    replicas = [
        subprocess.Popen([sys.executable, "-m", "tests.jobs.replica", pg_url, fake.api_url, str(start), "3"],
                         cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=60) for p in replicas]
    for p, (_, err) in zip(replicas, outputs, strict=True):
        assert p.returncode == 0, err
    outcomes = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    engine = connect(pg_url)
    with engine.connect() as conn:
        runs = conn.execute(select(job_runs.c.scheduled_for, job_runs.c.status, job_runs.c.host)
                            .where(job_runs.c.job == "tick")).all()
    engine.dispose()
    messages = [m["text"] for m in fake.messages(OPS)]
    assert len(runs) >= 2 and all(r.status == "ok" for r in runs)
    assert len(messages) == len(runs) == len(set(messages))  # one message per firing, none twice
    assert sum(o.get("ok", 0) for o in outcomes) == len(runs)
    assert all(o.get("ok", 0) + o.get("taken", 0) >= 2 for o in outcomes)  # both replicas fired every slot
    assert sum(o.get("taken", 0) for o in outcomes) >= 1  # …and lost some claims to the other
