"""Naive UTC, the form of every timestamp column.

    row_at = utc_naive(now)                       # aware (any zone) → naive UTC
    at = utc_naive(local.replace(tzinfo=tz))      # local wall time → naive UTC
"""

from __future__ import annotations

from datetime import UTC, datetime


def utc_naive(moment: datetime) -> datetime:
    """Aware → naive UTC. A naive `moment` is taken to be naive UTC already (read from a column) and
    returned as it is, rather than read as the host's local time."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)
