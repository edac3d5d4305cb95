"""What Slack hears of a failed job: the error's class and an id, never its SQL or parameters."""

from __future__ import annotations

import logging
import re

import pytest

from jobs.kit.registry import JobSpec, build_plan
from jobs.kit.runner import run_job
from metrics import job_runs as runlog
from tests.jobs import bad_sql_job
from tests.jobs.bad_sql_job import SECRET_PARAM
from tests.jobs.conftest import OPS, Bench


def test_a_database_error_reaches_slack_as_class_and_id_only(bench: Bench, caplog: pytest.LogCaptureFixture) -> None:
    spec = JobSpec("bad-sql", "0 9 * * *", bad_sql_job.run)
    plan = build_plan(bench.settings, (spec,))
    with caplog.at_level(logging.ERROR, logger="jobs.kit.runner"):
        result = run_job(bench.deps, plan["bad-sql"], poster=bench.poster())
    assert result.status == "failed"
    [told] = bench.posts(OPS)
    found = re.search(r"(\w+Error) \(error id ([0-9a-f]{8})\)", told["text"])
    assert found is not None, told["text"]
    kind, error_id = found.groups()
    assert kind in ("OperationalError", "ProgrammingError")  # SQLite says the first, PostgreSQL/MariaDB the second
    for leak in ("SQL:", "SELECT", "daily_sales", "no_such_table", SECRET_PARAM, "parameters"):
        assert leak not in told["text"]
    # the details and the same id stay where ops look them up: the run row and the log
    [run] = runlog.recent(bench.engine, "bad-sql")
    assert run.error_id == error_id and run.error is not None
    assert run.error.startswith(f"{kind}: ") and "no_such_table" in run.error
    [record] = [r for r in caplog.records if r.name == "jobs.kit.runner" and r.levelno == logging.ERROR]
    assert error_id in record.getMessage() and record.exc_info is not None
    assert getattr(record, "error_id", None) == error_id
