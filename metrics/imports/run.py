"""One import from end to end: read, check, write; a bad row anywhere and nothing is written.

    result = import_file(engine, "orders", Path("orders.csv"), opts)       # ImportResult
    result = import_records(engine, "reviews", items, opts, source="POST /ingest/reviews")
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine

from metrics.imports.checks import parse_frame
from metrics.imports.kinds import ImportOptions, kind_named
from metrics.imports.readers import read_frame
from metrics.imports.results import ImportFailure, ImportResult, Problem
from metrics.imports.write import write_rows


def import_file(engine: Engine, kind_name: str, path: Path, opts: ImportOptions) -> ImportResult:
    kind = kind_named(kind_name)
    path = Path(path)
    if not path.is_file():
        raise ImportFailure(path.name, [Problem(None, None, f"no such file: {path}")])
    frame = read_frame(path)
    df = parse_frame(kind, frame, opts, source=path.name)
    return write_rows(engine, kind, df, source=path.name, rows_read=len(frame), opts=opts)


def import_records(engine: Engine, kind_name: str, records: Sequence[Mapping[str, Any]], opts: ImportOptions,
                   *, source: str) -> ImportResult:
    """The same checks for records that arrive as JSON (e.g. POST /ingest/reviews); items count from 1."""
    kind = kind_named(kind_name)
    if not records:
        raise ImportFailure(source, [Problem(None, None, "no records")])
    bad = [i for i, r in enumerate(records, 1) if not isinstance(r, Mapping)]
    if bad:
        raise ImportFailure(source, [Problem(bad[0], None, "is not an object")], row_word="item")
    names = list(dict.fromkeys(k for r in records for k in r))
    frame = pd.DataFrame(
        [["" if r.get(n) is None else str(r.get(n)) for n in names] for r in records],
        columns=names, index=pd.RangeIndex(1, len(records) + 1), dtype=str)
    df = parse_frame(kind, frame, opts, source=source, row_word="item")
    return write_rows(engine, kind, df, source=source, rows_read=len(frame), opts=opts)
