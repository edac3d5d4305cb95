"""Checked canonical columns → the table's rows: cents, UTC plus local dates, scores; repeats merged.

    rows = dedupe(kind, to_table(kind, df, opts), source, "row")   # same-SKU order lines become one
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from metrics import sentiment
from metrics.imports.kinds import ImportOptions, Kind
from metrics.imports.results import MAX_PROBLEMS, ImportFailure, Problem


def to_table(kind: Kind, df: pd.DataFrame, opts: ImportOptions) -> pd.DataFrame:
    """Canonical columns → the table's columns (cents, UTC + local date, defaults)."""
    def local_date(utc: pd.Series) -> pd.Series:
        local: pd.Series = utc.dt.tz_localize("UTC").dt.tz_convert(opts.tz).dt.tz_localize(None).dt.normalize()
        return local

    if kind.name == "orders":
        df["line_key"] = df["line_id"].where(df["line_id"].notna(), df["sku"])
        df["order_date"] = local_date(df["ordered_at"])
        df["refund_amount"] = df["refund_amount"].where(df["refund_amount"].notna(), 0)
        return df.rename(columns={"paid_amount": "paid_cents", "refund_amount": "refund_cents"})
    if kind.name == "ad_spend":
        return df.rename(columns={"spend": "spend_cents", "attributed_gmv": "attributed_gmv_cents"})
    if kind.name == "inventory":
        df["as_of"] = df["as_of"].fillna(pd.Timestamp(opts.today))
        return df.rename(columns={"unit_cost": "unit_cost_cents"})
    if kind.name == "reviews":
        df["created_date"] = local_date(df["created_at"])
        df["sentiment"] = [round(s, 4) for s in (opts.model or sentiment.model()).scores(list(df["text"]))]
        df["topic"] = [sentiment.topic(t, opts.topics) for t in df["text"]]
        return df
    if kind.name == "experiments":
        return df.rename(columns={"revenue": "revenue_cents"})
    return df


def dedupe(kind: Kind, df: pd.DataFrame, source: str, row_word: str) -> pd.DataFrame:
    """Exact repeats collapse; same-SKU order lines without line_id merge (SPEC §3); other clashes fail."""
    key = list(kind.key)
    dup = df.duplicated(key, keep=False)
    if not dup.any():
        return df
    problems: list[Problem] = []
    if kind.name == "orders":
        merge = dup & df["line_id"].isna()
        merged = [_merge_lines(group, problems) for _, group in df[merge].groupby(key, sort=False)]
        df = pd.concat([df[~merge], pd.DataFrame(merged, index=[int(m["_row"]) for m in merged]).drop(
            columns="_row")]) if merged else df
        dup = df.duplicated(key, keep=False)
    if dup.any():
        exact = df[dup].astype(str).duplicated(keep="first")
        df = df.drop(index=df[dup].index[exact.to_numpy()])
        clash = df.duplicated(key, keep=False)
        for _, group in df[clash].groupby(key, sort=False):
            rows = sorted(int(r) for r in group.index)
            problems.append(Problem(rows[1], None, f"repeats the key ({', '.join(key)}) of {row_word} {rows[0]} "
                                                   "with different values"))
    if problems:
        problems.sort(key=lambda p: p.row or 0)
        raise ImportFailure(source, problems[:MAX_PROBLEMS], more=max(0, len(problems) - MAX_PROBLEMS),
                            row_word=row_word)
    return df.sort_index()


def _merge_lines(group: pd.DataFrame, problems: list[Problem]) -> dict[str, Any]:
    rows = group.sort_index()
    first = rows.iloc[0]
    if rows["customer_id"].nunique() > 1:
        problems.append(Problem(int(rows.index[1]), "customer_id",
                                f"same order and SKU as row {int(rows.index[0])} but a different customer"))
    # a cancelled line adds nothing to a live one: GMV ignores cancelled lines
    live = rows[rows["status"] != "cancelled"]
    use = live if len(live) else rows
    status = "cancelled" if not len(live) else ("refunded" if (live["status"] == "refunded").all() else "paid")
    merged: dict[str, Any] = {str(k): v for k, v in first.to_dict().items()}
    merged.update(
        quantity=int(use["quantity"].sum()),
        paid_cents=int(use["paid_cents"].sum()),
        refund_cents=int(use["refund_cents"].sum()),
        ordered_at=rows["ordered_at"].min(),
        order_date=rows["order_date"].min(),
        status=status,
        _row=int(rows.index[0]),
    )
    return merged
