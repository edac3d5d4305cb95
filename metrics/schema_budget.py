"""Tables of the budget feature, on the shared metadata (see metrics/schema.py)."""

from __future__ import annotations

from metrics.schema import metadata

__all__ = ["metadata"]
