"""Platform export files read without pandas: the importer reads them with this, and so does
`ecombot sentiment classify`, which must start fast.

    rows = sheet_rows(Path("评价导出.xlsx"))   # the first sheet: [["评价内容", "评分"], ["很好", "5"], …]
    looks_like_gbk(Path("export.csv").read_bytes())   # True: saved by Excel on Chinese Windows
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

XLSX_SUFFIXES = (".xlsx", ".xlsm")


class WorkbookError(Exception):
    """Not a workbook openpyxl can read."""


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        # repr keeps 19.9 as "19.9"; an integral float is a whole number
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def sheet_rows(path: Path) -> list[list[str]]:
    """Every row of the first sheet as text, trailing blank rows dropped."""
    from zipfile import BadZipFile

    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError) as exc:
        raise WorkbookError(f"not a readable .xlsx workbook ({exc})") from None
    try:
        sheet = book.worksheets[0]
        rows = [[cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    while rows and not any(rows[-1]):
        rows.pop()
    return rows


def looks_like_gbk(data: bytes) -> bool:
    """Whether bytes that are not UTF-8 read as GBK/GB18030 (Excel's default CSV encoding for Chinese)."""
    try:
        data.decode("gb18030")
    except UnicodeDecodeError:
        return False
    return True
