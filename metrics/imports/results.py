"""What an import answers: a result to summarise, or a failure that names every problem found.

    raise ImportFailure("orders.csv", [Problem(7, "paid_amount", "is not an amount: 'abc'")])
    result.summary()     # "orders.csv: 1,000 orders rows → 990 inserted, 10 updated, data through …"
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

MAX_PROBLEMS = 20

@dataclass(frozen=True)
class Problem:
    row: int | None  # spreadsheet row (the header is row 1), or item number for records
    column: str | None
    reason: str

    def describe(self, row_word: str = "row") -> str:
        where = [f"{row_word} {self.row}"] if self.row is not None else []
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.reason}" if where else self.reason


class ImportFailure(ValueError):
    """Nothing was imported. `str()` is the message for the user: source, rows, columns, reasons."""

    def __init__(self, source: str, problems: Sequence[Problem], *, more: int = 0, row_word: str = "row") -> None:
        self.source = source
        self.problems = list(problems)
        self.more = more
        lines = [f"{source}: {p.describe(row_word)}" for p in self.problems]
        if more:
            lines.append(f"… and {more} more problem(s)")
        lines.append("Nothing was imported.")
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class ImportResult:
    kind: str
    source: str
    rows_read: int
    rows_written: int  # after merging same-SKU lines
    inserted: int
    updated: int
    max_date: date | None

    def summary(self) -> str:
        through = f", data through {self.max_date.isoformat()}" if self.max_date else ""
        merged = f" ({self.rows_written:,} after merging lines)" if self.rows_written != self.rows_read else ""
        return (f"{self.source}: {self.rows_read:,} {self.kind} rows{merged} → "
                f"{self.inserted:,} inserted, {self.updated:,} updated{through}")
