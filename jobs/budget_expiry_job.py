"""budget-expiry as a scheduled job: the budget feature's `expire_requests`, run on the jobs' schedule."""

from __future__ import annotations

from jobs.context import JobContext, Outcome


def run(ctx: JobContext) -> Outcome:
    from jobs.budget_expiry import expire_requests

    expired = expire_requests(ctx.deps, ctx.poster.client)
    return Outcome("ok", f"{expired} request(s) expired") if expired else Outcome.empty("nothing to expire")
