"""A job whose query is wrong: its database error carries the SQL and the parameters."""

from __future__ import annotations

from sqlalchemy import text

from jobs.kit.context import JobContext, Outcome

SECRET_PARAM = "shop-7731-secret"


def run(ctx: JobContext) -> Outcome:
    with ctx.deps.engine.connect() as conn:
        conn.execute(text("SELECT daily_sales FROM no_such_table WHERE shop = :shop"), {"shop": SECRET_PARAM})
    return Outcome.posted(0)
