"""CSV and XLSX files → a DataFrame of strings, indexed by spreadsheet row (the header is row 1).

    frame = read_frame(Path("orders.xlsx"))   # blank rows dropped; ImportFailure for unreadable files
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pandas as pd

from metrics.imports.results import ImportFailure, Problem


def read_frame(path: Path) -> pd.DataFrame:
    """The file as strings, indexed by spreadsheet row number (header = row 1)."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        frame = _read_csv(path)
    elif suffix in (".xlsx", ".xlsm"):
        frame = _read_xlsx(path)
    else:
        raise ImportFailure(path.name, [Problem(None, None, f"unsupported file type {suffix or '(none)'}; "
                                                            "save it as .csv (UTF-8) or .xlsx")])
    frame.index = pd.RangeIndex(2, 2 + len(frame))
    # rows left blank in a spreadsheet are not data
    blank = (frame == "").all(axis=1)
    frame = frame[~blank]
    if frame.empty:
        raise ImportFailure(path.name, [Problem(None, None, "the file has a header but no data rows")])
    return frame


def _read_csv(path: Path) -> pd.DataFrame:
    data = path.read_bytes()
    if not data.strip(b"\xef\xbb\xbf \r\n\t"):
        raise ImportFailure(path.name, [Problem(None, None, "the file is empty")])
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        hint = ""
        try:
            data.decode("gb18030")
            hint = " It looks like GBK/GB18030 (Excel's default for Chinese);"
        except UnicodeDecodeError:
            pass
        raise ImportFailure(path.name, [Problem(line, None, f"not UTF-8 text (byte 0x{data[exc.start]:02x})."
                                                             f"{hint} save it as “CSV UTF-8”")]) from None
    first = data.split(b"\n", 1)[0]
    sep = "\t" if first.count(b"\t") > first.count(b",") else ","
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", sep=sep,
                           skip_blank_lines=False, engine="c")
    except pd.errors.ParserError as exc:
        raise ImportFailure(path.name, [Problem(None, None, f"malformed CSV: {str(exc).strip()}")]) from None


def _cell_text(value: object) -> str:
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


def _read_xlsx(path: Path) -> pd.DataFrame:
    from zipfile import BadZipFile

    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFailure(path.name, [Problem(None, None, f"not a readable .xlsx workbook ({exc})")]) from None
    try:
        sheet = book.worksheets[0]
        rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows or not any(rows[0]):
        raise ImportFailure(path.name, [Problem(None, None, "the file is empty")])
    header, body = rows[0], rows[1:]
    width = len(header)
    body = [(r + [""] * width)[:width] for r in body]
    return pd.DataFrame(body, columns=header, dtype=str)
