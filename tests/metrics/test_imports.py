"""`ecombot import`: every canonical format, Chinese headers, idempotency, atomicity, bad input.

Expected figures are computed here from the rows written into the files, in plain Python.
"""

from __future__ import annotations

import csv
import threading
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, func, select

from metrics import schema
from metrics.channels import ChannelRegistry
from metrics.imports import ImportFailure, ImportOptions, import_file, import_records

TZ = ZoneInfo("Asia/Shanghai")
OPTS = ImportOptions(tz=TZ, registry=ChannelRegistry(), today=date(2026, 11, 25))


def write_csv(path: Path, header: list[str], rows: list[list[Any]], encoding: str = "utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in schema.FACT_TABLES}


def rollup(engine: Engine) -> dict[tuple[str, str], int]:
    with engine.connect() as conn:
        return {(r.channel, str(r.date)[:10]): int(r.gmv_cents)
                for r in conn.execute(select(schema.daily_sales)).all()}


ORDER_HEADER = ["order_id", "line_id", "channel", "ordered_at", "sku", "quantity", "paid_amount", "customer_id",
                "status", "refund_amount"]


def order_rows(n: int = 60) -> list[list[Any]]:
    rows = []
    for i in range(n):
        channel = ["douyin", "tmall", "jd"][i % 3]
        ts = datetime(2026, 11, 1, 8) + timedelta(hours=7 * i)
        status = ["paid", "paid", "refunded", "cancelled"][i % 4]
        paid = Decimal(1000 + 37 * i) / 100
        refund = paid if status == "refunded" else Decimal(0)
        rows.append([f"O{i}", f"L{i}", channel, ts.isoformat(sep=" "), f"SKU-{i % 5}", 1 + i % 3, str(paid),
                     f"C{i % 17}", status, str(refund)])
    return rows


def expected_gmv(rows: list[list[Any]]) -> dict[tuple[str, str], int]:
    """GMV per (channel, local day), straight from the file rows (timestamps are local)."""
    out: dict[tuple[str, str], int] = defaultdict(int)
    for r in rows:
        day = r[3][:10]
        cents = int(Decimal(r[6]) * 100)
        out[(r[2], day)] += 0 if r[8] == "cancelled" else cents
    return dict(out)


# ---------------------------------------------------------------------------- happy paths


def test_orders_import_and_reimport_is_idempotent(engine: Engine, tmp_path: Path) -> None:
    rows = order_rows()
    path = write_csv(tmp_path / "orders.csv", ORDER_HEADER, rows)
    first = import_file(engine, "orders", path, OPTS)
    assert (first.inserted, first.updated) == (len(rows), 0)
    before = counts(engine)
    again = import_file(engine, "orders", path, OPTS)
    assert (again.inserted, again.updated) == (0, len(rows))
    after = counts(engine)
    assert after["orders"] == before["orders"] == len(rows)
    assert after["imports"] == 2
    assert rollup(engine) == {k: v for k, v in expected_gmv(rows).items()}
    assert first.max_date == max(date.fromisoformat(r[3][:10]) for r in rows)


def test_reimport_that_moves_an_order_refreshes_the_old_day(engine: Engine, tmp_path: Path) -> None:
    rows = order_rows(8)
    import_file(engine, "orders", write_csv(tmp_path / "a.csv", ORDER_HEADER, rows), OPTS)
    moved = [list(r) for r in rows]
    moved[0][3] = "2026-10-15 12:00:00"  # the platform corrected the order time
    import_file(engine, "orders", write_csv(tmp_path / "b.csv", ORDER_HEADER, moved), OPTS)
    assert rollup(engine) == expected_gmv(moved)


def test_same_sku_lines_without_line_id_are_merged_not_overwritten(engine: Engine, tmp_path: Path) -> None:
    header = ["order_id", "channel", "ordered_at", "sku", "quantity", "paid_amount", "customer_id"]
    rows = [["A1", "douyin", "2026-11-02 10:00", "SKU-1", 2, "20.00", "c1"],
            ["A1", "douyin", "2026-11-02 10:00", "SKU-1", 1, "10.50", "c1"],
            ["A1", "douyin", "2026-11-02 10:00", "SKU-2", 1, "5.00", "c1"]]
    result = import_file(engine, "orders", write_csv(tmp_path / "o.csv", header, rows), OPTS)
    assert (result.rows_read, result.rows_written) == (3, 2)
    with engine.connect() as conn:
        got = {r.sku: (r.quantity, r.paid_cents) for r in conn.execute(select(schema.orders)).all()}
    assert got == {"SKU-1": (3, 3050), "SKU-2": (1, 500)}
    # importing the same file again must not double the merged line
    import_file(engine, "orders", write_csv(tmp_path / "o.csv", header, rows), OPTS)
    assert rollup(engine) == {("douyin", "2026-11-02"): 2000 + 1050 + 500}


def test_chinese_headers_and_aliases(engine: Engine, tmp_path: Path) -> None:
    header = ["订单编号", "子订单编号", "平台", "下单时间", "商家编码", "购买数量", "实付金额(元)",
              "买家ID", "订单状态", "备注"]
    rows = [["D1", "S1", "抖音", "2026/11/3 9:05:00", "SKU-9", "2", "¥1,299.00", "u1", "交易成功", "加急"],
            ["D2", "S2", "天猫", "2026-11-03T10:00:00+08:00", "SKU-9", "1", "59.9", "u2", "已退款", ""]]
    import_file(engine, "orders", write_csv(tmp_path / "导出.csv", header, rows, encoding="utf-8-sig"), OPTS)
    with engine.connect() as conn:
        got = {r.order_id: r for r in conn.execute(select(schema.orders)).all()}
    assert got["D1"].channel == "douyin" and got["D1"].paid_cents == 129900 and got["D1"].status == "paid"
    assert got["D2"].channel == "tmall" and got["D2"].status == "refunded" and got["D2"].paid_cents == 5990
    # 09:05 in Shanghai is 01:05 UTC
    assert str(got["D1"].ordered_at)[:16] == "2026-11-03 01:05"


def test_custom_alias_file(engine: Engine, tmp_path: Path) -> None:
    aliases = tmp_path / "aliases.toml"
    aliases.write_text('[traffic]\nuv = ["店铺访客"]\npv = ["店铺浏览"]\n', encoding="utf-8")
    path = write_csv(tmp_path / "t.csv", ["日期", "店铺访客", "店铺浏览"], [["2026-11-01", "100", "250"]])
    opts = ImportOptions(tz=TZ, registry=ChannelRegistry(), today=OPTS.today, channel="jd", aliases_file=aliases)
    import_file(engine, "traffic", path, opts)
    with engine.connect() as conn:
        row = conn.execute(select(schema.traffic)).one()
    assert (row.channel, row.uv, row.pv, row.cart_users) == ("jd", 100, 250, None)


def test_every_other_kind_imports(engine: Engine, tmp_path: Path) -> None:
    spend_rows = [["2026-11-01", "douyin", "千川-直播间", "300.50", "10000", "250", "900.00"],
                  ["2026-11-01", "jd", "京东快车", "120", "", "", ""]]
    import_file(engine, "ad-spend", write_csv(tmp_path / "s.csv", ["date", "channel", "campaign", "spend",
                                                                   "impressions", "clicks", "attributed_gmv"],
                                              spend_rows), OPTS)
    import_file(engine, "inventory", write_csv(tmp_path / "i.csv", ["sku", "name", "category", "on_hand",
                                                                    "lead_time_days", "unit_cost"],
                                               [["SKU-1", "玻尿酸面膜", "护肤", "120", "7", "12.30"]]), OPTS)
    import_file(engine, "reviews", write_csv(tmp_path / "r.csv", ["review_id", "channel", "sku", "created_at",
                                                                  "text", "rating", "author_followers"],
                                             [["R1", "tmall", "SKU-1", "2026-11-20 20:00", "质量很好，物流很快", "5",
                                               ""],
                                              ["R2", "weibo", "", "2026-11-21 08:00:00+08:00",
                                               "用了这个面膜烂脸了，过敏起红疹", "", "120000"]]), OPTS)
    import_file(engine, "experiments", write_csv(tmp_path / "e.csv", ["experiment", "variant", "date", "visitors",
                                                                      "conversions", "revenue"],
                                                 [["video", "control", "2026-11-01", "1000", "30", "2999.70"],
                                                  ["video", "B", "2026-11-01", "1000", "42", ""]]), OPTS)
    with engine.connect() as conn:
        spend = {r.channel: r for r in conn.execute(select(schema.ad_spend)).all()}
        inv = conn.execute(select(schema.inventory)).one()
        reviews = {r.review_id: r for r in conn.execute(select(schema.reviews)).all()}
        exp = conn.execute(select(func.count()).select_from(schema.experiments)).scalar_one()
    assert spend["douyin"].spend_cents == 30050 and spend["douyin"].attributed_gmv_cents == 90000
    assert spend["jd"].clicks is None and spend["jd"].attributed_gmv_cents is None
    assert str(inv.as_of)[:10] == "2026-11-25"  # default: today
    assert inv.unit_cost_cents == 1230 and inv.name == "玻尿酸面膜"
    assert reviews["R2"].channel == "weibo" and reviews["R2"].sku is None
    assert reviews["R2"].sentiment < 0.5 < reviews["R1"].sentiment
    assert exp == 2


def test_xlsx_import(engine: Engine, tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["日期", "渠道", "访客数", "浏览量", "加购人数"])
    sheet.append([datetime(2026, 11, 1), "小红书", 1500, 4200.0, 130])
    sheet.append([date(2026, 11, 2), "xhs", 1600, 4300, None])
    sheet.append([None, None, None, None, None])
    book.save(tmp_path / "traffic.xlsx")
    result = import_file(engine, "traffic", tmp_path / "traffic.xlsx", OPTS)
    assert result.inserted == 2
    with engine.connect() as conn:
        got = sorted((str(r.date)[:10], r.channel, r.uv, r.pv, r.cart_users)
                     for r in conn.execute(select(schema.traffic)).all())
    assert got == [("2026-11-01", "xiaohongshu", 1500, 4200, 130), ("2026-11-02", "xiaohongshu", 1600, 4300, None)]


def test_import_records_counts_items(engine: Engine) -> None:
    result = import_records(engine, "reviews", [
        {"review_id": "W1", "channel": "抖音", "created_at": "2026-11-24T09:00:00+08:00", "text": "好用", "rating": 5},
    ], OPTS, source="ingest")
    assert result.inserted == 1
    with pytest.raises(ImportFailure, match=r"item 1, column rating"):
        import_records(engine, "reviews", [{"review_id": "W2", "channel": "jd", "created_at": "2026-11-24",
                                            "text": "x", "rating": 9}], OPTS, source="ingest")


# ---------------------------------------------------------------------------- bad input


BAD_CASES = {
    "unknown channel": (ORDER_HEADER, [["O1", "", "douyn", "2026-11-01 10:00", "S", 1, "9.9", "c", "paid", "0"]],
                        r"row 2, column channel: Unknown channel `douyn`. Did you mean `douyin`\?"),
    "negative quantity": (ORDER_HEADER, [["O1", "", "jd", "2026-11-01 10:00", "S", -2, "9.9", "c", "paid", "0"]],
                          r"row 2, column quantity: must be a whole number ≥ 1, got '-2'"),
    "fractional quantity": (ORDER_HEADER, [["O1", "", "jd", "2026-11-01 10:00", "S", "1.5", "9.9", "c", "", ""]],
                            r"row 2, column quantity"),
    "bad date": (ORDER_HEADER, [["O1", "", "jd", "2026-11-31 10:00", "S", 1, "9.9", "c", "paid", "0"]],
                 r"row 2, column ordered_at: is not an ISO 8601 timestamp: '2026-11-31 10:00'"),
    "three decimals": (ORDER_HEADER, [["O1", "", "jd", "2026-11-01 10:00", "S", 1, "9.999", "c", "paid", "0"]],
                       r"row 2, column paid_amount: has more than 2 decimal places"),
    "negative money": (ORDER_HEADER, [["O1", "", "jd", "2026-11-01 10:00", "S", 1, "-9.90", "c", "paid", "0"]],
                       r"column paid_amount: must not be negative"),
    "unknown status": (ORDER_HEADER, [["O1", "", "jd", "2026-11-01 10:00", "S", 1, "9.90", "c", "lost", "0"]],
                       r"column status: must be paid, refunded or cancelled"),
    "refund above paid": (ORDER_HEADER, [["O1", "", "jd", "2026-11-01 10:00", "S", 1, "9.90", "c", "refunded",
                                          "19.90"]], r"column refund_amount: refund_amount is larger"),
    "missing column": (["order_id", "channel", "ordered_at", "sku", "paid_amount", "customer_id"],
                       [["O1", "jd", "2026-11-01", "S", "1", "c"]], r"missing required column\(s\) quantity"),
    "other kind": (["date", "channel", "uv", "pv"], [["2026-11-01", "jd", "1", "2"]],
                   r"looks like a traffic file"),
    "header only": (ORDER_HEADER, [], r"no data rows"),
    "conflicting duplicate": (ORDER_HEADER, [["O1", "L1", "jd", "2026-11-01 10:00", "S", 1, "9.90", "c", "", ""],
                                             ["O1", "L1", "jd", "2026-11-01 10:00", "S", 2, "19.80", "c", "", ""]],
                              r"row 3: repeats the key \(channel, order_id, line_key\) of row 2"),
    "empty required": (ORDER_HEADER, [["O1", "", "jd", "2026-11-01 10:00", "", 1, "9.90", "c", "", ""]],
                       r"row 2, column sku: is required but empty"),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_input_names_the_problem_and_changes_nothing(engine: Engine, tmp_path: Path, case: str) -> None:
    good = order_rows(5)
    import_file(engine, "orders", write_csv(tmp_path / "good.csv", ORDER_HEADER, good), OPTS)
    before, before_rollup = counts(engine), rollup(engine)
    header, bad_rows, pattern = BAD_CASES[case]
    # one bad row hidden behind good ones that would otherwise import
    fresh: list[list[Any]] = []
    if header == ORDER_HEADER and bad_rows:
        fresh = [[f"N{i}", *r[1:]] for i, r in enumerate(order_rows(5))]
    path = write_csv(tmp_path / "bad.csv", header, fresh + cast(list[list[Any]], bad_rows))
    with pytest.raises(ImportFailure) as err:
        import_file(engine, "orders", path, OPTS)
    message = str(err.value)
    assert message.startswith("bad.csv: ")
    import re

    shifted = re.sub(r"row (\d+)", lambda m: f"row {int(m.group(1)) + len(fresh)}", pattern)
    assert re.search(shifted, message), message
    assert message.endswith("Nothing was imported.")
    assert counts(engine) == before and rollup(engine) == before_rollup


def test_identical_duplicate_rows_collapse(engine: Engine, tmp_path: Path) -> None:
    row = ["2026-11-01", "jd", "100", "300", "9"]
    result = import_file(engine, "traffic", write_csv(tmp_path / "t.csv", ["date", "channel", "uv", "pv", "cart_users"],
                                                      [row, row]), OPTS)
    assert (result.rows_read, result.rows_written, result.inserted) == (2, 1, 1)


@pytest.mark.parametrize("name,content,pattern", [
    ("empty.csv", b"", "the file is empty"),
    ("blank.csv", b"\xef\xbb\xbf\r\n\r\n", "the file is empty"),
    ("gbk.csv", "order_id,channel\nA1,抖音\n".encode("gbk"), r"row 2: not UTF-8 text .*GBK"),
    ("orders.xls", b"\xd0\xcf\x11\xe0", r"unsupported file type \.xls"),
    ("broken.xlsx", b"PK\x03\x04 not really", r"not a readable \.xlsx workbook"),
    ("quotes.csv", b'order_id,channel\n"A1,jd\n', r"malformed CSV|missing required"),
])
def test_unreadable_files(engine: Engine, tmp_path: Path, name: str, content: bytes, pattern: str) -> None:
    (tmp_path / name).write_bytes(content)
    with pytest.raises(ImportFailure, match=pattern):
        import_file(engine, "orders", tmp_path / name, OPTS)
    assert counts(engine)["imports"] == 0


def test_channel_option_fills_and_guards(engine: Engine, tmp_path: Path) -> None:
    header = ["date", "uv", "pv"]
    opts = ImportOptions(tz=TZ, registry=ChannelRegistry(), today=OPTS.today, channel="抖音")
    import_file(engine, "traffic", write_csv(tmp_path / "a.csv", header, [["2026-11-01", "5", "9"]]), opts)
    with pytest.raises(ImportFailure, match="says jd, but --channel is douyin"):
        import_file(engine, "traffic", write_csv(tmp_path / "b.csv", ["date", "channel", "uv", "pv"],
                                                 [["2026-11-02", "jd", "5", "9"]]), opts)
    with pytest.raises(ImportFailure, match=r"missing required column\(s\) channel"):
        import_file(engine, "traffic", write_csv(tmp_path / "c.csv", header, [["2026-11-01", "5", "9"]]), OPTS)


def test_concurrent_imports_do_not_double_count(engine: Engine, tmp_path: Path) -> None:
    rows = order_rows(300)
    paths = [write_csv(tmp_path / f"o{i}.csv", ORDER_HEADER, rows) for i in range(3)]
    errors: list[BaseException] = []

    def run(p: Path) -> None:
        try:
            import_file(engine, "orders", p, OPTS)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(p,)) for p in paths]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if errors and engine.dialect.name != "sqlite":
        # a deadlock between two upserts of the same keys is the database's answer to a race;
        # the loser rolls back whole, so a retry (as the CLI user would do) converges
        import_file(engine, "orders", paths[0], OPTS)
    else:
        assert not errors, errors
    assert counts(engine)["orders"] == len(rows)
    assert rollup(engine) == expected_gmv(rows)


def test_cli_import(tmp_path: Path) -> None:
    from bot.cli import main

    db = f"sqlite:///{tmp_path / 'cli.db'}"
    good = write_csv(tmp_path / "t.csv", ["date", "channel", "uv", "pv"], [["2026-11-01", "jd", "10", "20"]])
    bad = write_csv(tmp_path / "u.csv", ["date", "channel", "uv", "pv"], [["2026-11-01", "jd", "-1", "20"]])
    runner = CliRunner()
    ok = runner.invoke(main, ["--database-url", db, "import", "traffic", str(good)])
    assert ok.exit_code == 0, ok.output
    assert "1 inserted, 0 updated" in ok.output
    failed = runner.invoke(main, ["--database-url", db, "import", "traffic", str(bad)])
    assert failed.exit_code == 1
    assert "u.csv: row 2, column uv" in failed.output
    unknown = runner.invoke(main, ["--database-url", db, "import", "traffic", str(good), "--channel", "douyn"])
    assert unknown.exit_code != 0 and "douyin" in unknown.output


@pytest.mark.parametrize(("cell", "named"), [("bad\x00name", "NUL"), ("tab\x0bbed", "U+000B")])
def test_a_control_character_in_a_cell_is_named_and_changes_nothing(engine: Engine, tmp_path: Path, cell: str,
                                                                     named: str) -> None:
    # seen: a NUL in a text cell ended in a traceback about the staging table (PostgreSQL refuses NUL)
    import_file(engine, "orders", write_csv(tmp_path / "good.csv", ORDER_HEADER, order_rows(5)), OPTS)
    before, before_rollup = counts(engine), rollup(engine)
    rows = [[f"N{i}", *r[1:]] for i, r in enumerate(order_rows(3))]
    rows[1][4] = cell
    path = tmp_path / "nul.csv"
    path.write_bytes(("\n".join(",".join(str(v) for v in r) for r in [ORDER_HEADER, *rows]) + "\n").encode())
    with pytest.raises(ImportFailure) as err:
        import_file(engine, "orders", path, OPTS)
    assert f"row 3, column sku: contains a control character ({named})" in str(err.value)
    assert counts(engine) == before and rollup(engine) == before_rollup


def test_a_byte_order_mark_inside_a_cell_is_not_part_of_the_value(engine: Engine, tmp_path: Path) -> None:
    # seen: `\ufeffO5021` stored beside `O5021`, the same order counted twice
    rows = order_rows(3)
    import_file(engine, "orders", write_csv(tmp_path / "a.csv", ORDER_HEADER, rows), OPTS)
    again = [[f"\ufeff{r[0]}", f"\ufeff{r[1]}", *r[2:]] for r in rows]
    result = import_file(engine, "orders", write_csv(tmp_path / "b.csv", ORDER_HEADER, again), OPTS)
    assert result.inserted == 0 and result.updated == len(rows)
    with engine.connect() as conn:
        ids = conn.execute(select(schema.orders.c.order_id)).scalars().all()
    assert sorted(ids) == sorted(r[0] for r in rows)


def test_concurrent_imports_of_different_orders_on_the_same_days_both_succeed(engine: Engine,
                                                                                tmp_path: Path) -> None:
    # seen: two imports touching the same (channel, day) failed on the daily rollup's unique key
    base = order_rows(120)
    files = [[[f"{k}-{r[0]}", f"{k}-{r[1]}", *r[2:]] for r in base] for k in range(4)]
    paths = [write_csv(tmp_path / f"p{k}.csv", ORDER_HEADER, rows) for k, rows in enumerate(files)]
    results: list[Any] = []
    errors: list[BaseException] = []
    start = threading.Barrier(len(paths))

    def run(p: Path) -> None:
        start.wait()
        try:
            results.append(import_file(engine, "orders", p, OPTS))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(p,)) for p in paths]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors
    assert [(r.inserted, r.updated) for r in results] == [(len(base), 0)] * len(paths)
    union = [r for rows in files for r in rows]
    assert counts(engine)["orders"] == len(union)
    assert rollup(engine) == expected_gmv(union)
