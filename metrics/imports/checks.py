"""Every value of a frame checked against its kind's columns, vectorised; problems gathered, not raised one by one.

    df = parse_frame(kind, frame, opts, source="orders.csv")   # the table's rows, or ImportFailure
    # a million rows are checked in seconds; nothing touches the database here
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from metrics.channels import UnknownChannel
from metrics.imports.headers import load_aliases, map_headers, other_kind
from metrics.imports.kinds import STATUSES, Col, ImportOptions, Kind
from metrics.imports.results import MAX_PROBLEMS, ImportFailure, Problem
from metrics.imports.rows import dedupe, to_table


@dataclass
class _Parsed:
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column, reason)
    bad_rows: set[int] = field(default_factory=set)

    def flag(self, raw: pd.Series, mask: pd.Series | np.ndarray[Any, Any], column: str,
             reason: Callable[[str], str]) -> None:
        rows = raw.index[np.asarray(mask, dtype=bool)]
        for row in rows[: MAX_PROBLEMS + 1]:
            self.problems.append((int(row), column, reason(str(raw.at[row]))))
        self.bad_rows.update(int(r) for r in rows)


_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"


def _control_name(value: str) -> str:
    found = next((ch for ch in value if ord(ch) < 32 and ch not in "\t\n\r" or ord(ch) == 127), "\x00")
    return "NUL" if found == "\x00" else f"U+{ord(found):04X}"


def _show(value: str) -> str:
    return repr(value if len(value) <= 40 else value[:37] + "…")


def _parse_text(raw: pd.Series, col: Col, header: str, out: _Parsed) -> pd.Series:
    s = raw.str.strip()
    if col.required:
        out.flag(raw, s == "", header, lambda v: "is required but empty")
    if col.length is not None:
        out.flag(raw, s.str.len() > col.length, header, lambda v: f"is longer than {col.length} characters")
    return s.where(s != "", None)


def _parse_int(raw: pd.Series, col: Col, header: str, out: _Parsed) -> pd.Series:
    s = raw.str.strip().str.replace(",", "", regex=False)
    num = pd.to_numeric(s, errors="coerce")
    blank = s == ""
    bad = ~blank & (num.isna() | (num != num.round()) | (num < col.min) | (num > col.max))
    if col.required:
        bad |= blank
    top = f" and ≤ {col.max}" if col.max < 10**9 else ""
    out.flag(raw, bad, header, lambda v: (
        "is required but empty" if v.strip() == "" else f"must be a whole number ≥ {col.min}{top}, got {_show(v)}"))
    values = num.where(~bad & ~blank, 0).astype("int64").astype(object)
    return values.where(~blank, None)


_MONEY = re.compile(r"^(\d{1,13})(?:\.(\d{0,2})0*)?$")


def _parse_money(raw: pd.Series, col: Col, header: str, out: _Parsed) -> pd.Series:
    """Exact: the digits become integer cents without ever passing through a float."""
    s = raw.str.strip()
    parts = s.str.extract(_MONEY)
    odd = parts[0].isna() & (s != "")
    if odd.any():
        # thousands separators and currency signs, cleaned only where present
        s = s.copy()
        s[odd] = s[odd].str.replace(r"[,¥￥\s]", "", regex=True)
        parts.loc[odd] = s[odd].str.extract(_MONEY).to_numpy()
    blank = s == ""
    bad = ~blank & parts[0].isna()
    if col.required:
        bad |= blank

    def reason(v: str) -> str:
        v2 = re.sub(r"[,¥￥\s]", "", v)
        if v2 == "":
            return "is required but empty"
        if v2.startswith("-"):
            return f"must not be negative, got {_show(v)}"
        if re.fullmatch(r"\d+\.\d{3,}", v2):
            return f"has more than 2 decimal places: {_show(v)}"
        return f"is not an amount: {_show(v)}"

    out.flag(raw, bad, header, reason)
    ok = ~bad & ~blank
    yuan = parts[0].where(ok, "0").astype("int64")
    fen = parts[1].where(ok & parts[1].notna(), "").str.ljust(2, "0").astype("int64")
    cents = (yuan * 100 + fen).astype(object)
    return cents.where(ok, None)


def _normalise_dates(s: pd.Series) -> pd.Series:
    """'2026/11/3 9:05' → '2026-11-03 9:05', only on the rows that need it (regexes cost µs per row)."""
    odd = ~s.str.match(r"\d{4}-\d{2}-\d{2}(?:$|[ T])")
    if not odd.any():
        return s
    fixed = s[odd].str.replace(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})", r"\1-\2-\3", regex=True)
    fixed = fixed.str.replace(r"^(\d{4})-(\d)(?=\D|$)", r"\1-0\2", regex=True).str.replace(
        r"^(\d{4}-\d{2})-(\d)(?=\D|$)", r"\1-0\2", regex=True)
    out = s.copy()
    out[odd] = fixed
    return out


_OFFSET = r"(?:[zZ]|[+-]\d{2}:?\d{2})$"


def _parse_timestamp(raw: pd.Series, col: Col, header: str, out: _Parsed, tz: ZoneInfo) -> pd.Series:
    """→ naive UTC datetimes; a timestamp without an offset is in BOT_TIMEZONE (SPEC §3)."""
    s = _normalise_dates(raw.str.strip())
    # an offset can only follow a time, i.e. strings longer than a date
    aware = (s.str.len() > 10) & s.str.contains(_OFFSET, regex=True)
    utc = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    if (~aware).any():
        local = pd.to_datetime(s[~aware], format="ISO8601", errors="coerce")
        utc[~aware] = (local.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
                       .dt.tz_convert("UTC").dt.tz_localize(None))
    if aware.any():
        utc[aware] = pd.to_datetime(s[aware], format="ISO8601", errors="coerce", utc=True).dt.tz_localize(None)
    out.flag(raw, utc.isna(), header, lambda v: (
        "is required but empty" if v.strip() == "" else f"is not an ISO 8601 timestamp: {_show(v)}"))
    return utc


def _parse_date(raw: pd.Series, col: Col, header: str, out: _Parsed) -> pd.Series:
    s = raw.str.strip()
    blank = s == ""
    s = _normalise_dates(s.where(~blank, "0000-00-00"))
    parsed = pd.to_datetime(s.where(~blank, None), format="ISO8601", errors="coerce")
    bad = ~blank & (parsed.isna() | (parsed != parsed.dt.normalize()))
    if col.required:
        bad |= blank
    out.flag(raw, bad, header, lambda v: (
        "is required but empty" if v.strip() == "" else f"is not a date (YYYY-MM-DD): {_show(v)}"))
    return parsed.where(~bad)


def _parse_enum(raw: pd.Series, header: str, out: _Parsed, mapping: Mapping[str, str], default: str) -> pd.Series:
    s = raw.str.strip().str.lower()
    mapped = s.map(lambda v: mapping.get(v, default if v == "" else None))
    out.flag(raw, mapped.isna(), header, lambda v: f"must be paid, refunded or cancelled, got {_show(v)}")
    return mapped


def _parse_channel(raw: pd.Series, header: str, out: _Parsed, opts: ImportOptions, social: bool) -> pd.Series:
    default = opts.registry.resolve(opts.channel).slug if opts.channel else None
    lookup: dict[str, str | None] = {}
    reasons: dict[str, str] = {}
    for value in pd.unique(raw):
        text = str(value).strip()
        if text == "":
            lookup[value] = default
            reasons[value] = "is empty; add the channel or pass --channel"
            continue
        try:
            slug = opts.registry.resolve(text).slug
        except UnknownChannel as exc:
            if social and re.fullmatch(r"[a-z0-9_.\-]{1,32}", text.lower()):
                slug = text.lower()  # a social source such as weibo
            else:
                lookup[value] = None
                reasons[value] = str(exc)
                continue
        if default is not None and slug != default:
            lookup[value] = None
            reasons[value] = f"says {slug}, but --channel is {default}"
            continue
        lookup[value] = slug
    mapped = raw.map(lookup)
    out.flag(raw, mapped.isna(), header, lambda v: reasons.get(v, "is not a known channel"))
    return mapped


def parse_frame(kind: Kind, frame: pd.DataFrame, opts: ImportOptions, *, source: str,
                aliases: dict[str, dict[str, str]] | None = None, row_word: str = "row") -> pd.DataFrame:
    """Check every value of `frame` (strings) and return the table's rows; raise ImportFailure."""
    aliases = aliases if aliases is not None else load_aliases(opts.aliases_file)
    try:
        headers = map_headers(kind, list(frame.columns), aliases[kind.name])
    except ImportFailure as exc:
        raise ImportFailure(source, exc.problems) from None
    missing = [c for c in kind.required if c not in headers and not (c == "channel" and opts.channel)]
    if missing:
        other = other_kind(kind, list(frame.columns), aliases)
        hint = f" This looks like a {other} file: `ecombot import {other.replace('_', '-')} FILE`." if other else ""
        raise ImportFailure(source, [Problem(None, None, f"missing required column(s) {', '.join(missing)} "
                                                           f"for {kind.name} data.{hint}")], row_word=row_word)
    out = _Parsed()
    parsed: dict[str, pd.Series] = {}
    for col in kind.cols:
        header = headers.get(col.name, col.name)
        raw = frame[headers[col.name]].astype(str) if col.name in headers else pd.Series("", index=frame.index)
        # a byte-order mark inside a cell (an export glued from several files) made `\ufeffO5021` a
        # second order id; a NUL or other control character is refused (PostgreSQL cannot store NUL)
        raw = raw.str.lstrip("\ufeff")
        out.flag(raw, raw.str.contains(_CONTROL, regex=True), header,
                 lambda v: f"contains a control character ({_control_name(v)}); remove it and import again")
        if col.type == "text":
            parsed[col.name] = _parse_text(raw, col, header, out)
        elif col.type == "int":
            parsed[col.name] = _parse_int(raw, col, header, out)
        elif col.type == "money":
            parsed[col.name] = _parse_money(raw, col, header, out)
        elif col.type == "timestamp":
            parsed[col.name] = _parse_timestamp(raw, col, header, out, opts.tz)
        elif col.type == "date":
            parsed[col.name] = _parse_date(raw, col, header, out)
        elif col.type == "status":
            parsed[col.name] = _parse_enum(raw, header, out, STATUSES, "paid")
        else:
            parsed[col.name] = _parse_channel(raw, header, out, opts, social=col.type == "source")
    _cross_checks(kind, parsed, headers, frame, out)
    if out.problems:
        ordered = sorted(out.problems)
        shown = [Problem(r, c, why) for r, c, why in ordered[:MAX_PROBLEMS]]
        raise ImportFailure(source, shown, more=max(0, len(out.bad_rows) - len({p.row for p in shown})),
                            row_word=row_word)
    rows = to_table(kind, pd.DataFrame(parsed, index=frame.index), opts)
    return dedupe(kind, rows, source, row_word)


def _cross_checks(kind: Kind, parsed: dict[str, pd.Series], headers: Mapping[str, str], frame: pd.DataFrame,
                  out: _Parsed) -> None:
    def pair(small: str, big: str, reason: str) -> None:
        a, b = parsed[small], parsed[big]
        both = a.notna() & b.notna()
        bad = both & (a.where(both, 0).astype("int64") > b.where(both, 0).astype("int64"))
        raw = frame[headers[small]].astype(str) if small in headers else pd.Series("", index=frame.index)
        out.flag(raw, bad, headers.get(small, small), lambda v: reason)

    if kind.name == "orders" and "refund_amount" in headers:
        pair("refund_amount", "paid_amount", "refund_amount is larger than paid_amount")
    if kind.name == "experiments":
        pair("conversions", "visitors", "conversions is larger than visitors")
