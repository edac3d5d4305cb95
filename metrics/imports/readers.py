"""CSV and XLSX files → a DataFrame of strings, indexed by spreadsheet row (the header is row 1).

    frame = read_frame(Path("orders.xlsx"))   # blank rows dropped; ImportFailure for unreadable files
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from metrics.export_files import XLSX_SUFFIXES, WorkbookError, looks_like_gbk, sheet_rows
from metrics.imports.results import ImportFailure, Problem


def read_frame(path: Path) -> pd.DataFrame:
    """The file as strings, indexed by spreadsheet row number (header = row 1)."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        frame = _read_csv(path)
    elif suffix in XLSX_SUFFIXES:
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
        hint = " It looks like GBK/GB18030 (Excel's default for Chinese);" if looks_like_gbk(data) else ""
        raise ImportFailure(path.name, [Problem(line, None, f"not UTF-8 text (byte 0x{data[exc.start]:02x})."
                                                             f"{hint} save it as “CSV UTF-8”")]) from None
    first = data.split(b"\n", 1)[0]
    sep = "\t" if first.count(b"\t") > first.count(b",") else ","
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", sep=sep,
                           skip_blank_lines=False, engine="c")
    except pd.errors.ParserError as exc:
        raise ImportFailure(path.name, [Problem(None, None, f"malformed CSV: {str(exc).strip()}")]) from None


def _read_xlsx(path: Path) -> pd.DataFrame:
    try:
        rows = sheet_rows(path)
    except WorkbookError as exc:
        raise ImportFailure(path.name, [Problem(None, None, str(exc))]) from None
    if not rows or not any(rows[0]):
        raise ImportFailure(path.name, [Problem(None, None, "the file is empty")])
    header, body = rows[0], rows[1:]
    width = len(header)
    body = [(r + [""] * width)[:width] for r in body]
    return pd.DataFrame(body, columns=header, dtype=str)
