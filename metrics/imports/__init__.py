"""Canonical imports (SPEC §3): a CSV/XLSX file or a list of records → checked rows → one upsert.

    opts = ImportOptions(tz=ZoneInfo("Asia/Shanghai"), registry=ChannelRegistry(), today=date.today())
    result = import_file(engine, "orders", Path("orders.csv"), opts)   # ImportResult
    # a bad row raises ImportFailure naming file, row, column and reason; nothing is written

The stages, one module each: `kinds` (what can be imported), `headers` (export names → columns),
`readers` (CSV/XLSX → strings), `checks` (every value, vectorised), `rows` (→ the table's rows),
`write` (one transaction), `run` (the three in order). This package re-exports the public names.
"""

from __future__ import annotations

from metrics.imports.checks import parse_frame
from metrics.imports.headers import load_aliases
from metrics.imports.kinds import KINDS, STATUSES, Col, ImportOptions, Kind, kind_named
from metrics.imports.readers import read_frame
from metrics.imports.results import MAX_PROBLEMS, ImportFailure, ImportResult, Problem
from metrics.imports.run import import_file, import_records
from metrics.imports.write import write_rows

__all__ = [
    "KINDS", "MAX_PROBLEMS", "STATUSES", "Col", "ImportFailure", "ImportOptions", "ImportResult", "Kind", "Problem",
    "import_file", "import_records", "kind_named", "load_aliases", "parse_frame", "read_frame", "write_rows",
]
