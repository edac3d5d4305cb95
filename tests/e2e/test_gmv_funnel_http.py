"""`/gmv` and `/funnel` end to end over HTTP, English and Chinese; figures from the fixture rows in plain Python."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from bot.sandbox import slash_command
from bot.sandbox.state import User
from metrics.channels import ChannelRegistry
from metrics.imports import ImportOptions, import_file
from tests.e2e.conftest import (
    SECRET,
    SHOP,
    TODAY,
    Bot,
    BotFactory,
    Json,
    assert_valid_blocks,
    block_text,
    money_text,
    posted,
    shared_files,
    window_days,
)
from tests.metrics.fixtures import Shop

TZ = ZoneInfo("Asia/Shanghai")


def run(bot: Bot, command: str, text: str, *, user_id: str = "U0ALICE") -> tuple[int, str]:
    return slash_command(bot.events_url, SECRET, command, text, fake=bot.fake, user_id=user_id,
                         channel_id="C0GENERAL", channel_name="general")


def answer(bot: Bot, command: str, text: str, *, user_id: str = "U0ALICE", chart: bool = True) -> Json:
    """The answer posted in C0GENERAL (the newest, when the test sent several)."""
    method = "files.completeUploadExternal" if chart else "chat.postMessage"
    before = len(bot.fake.calls(method))
    status, body = run(bot, command, text, user_id=user_id)
    assert (status, body) == (200, "")
    bot.fake.wait_for(method, count=before + 1, timeout=30)
    message = posted(bot.fake, "C0GENERAL")[-1]
    assert_valid_blocks(message["blocks"])
    if chart:
        shared = shared_files(bot.fake, "C0GENERAL")[-1]
        data = bot.fake.file_bytes(shared["id"])
        assert data is not None and data.startswith(b"\x89PNG")
    return message


def _in(d: date, span: tuple[date, date]) -> bool:
    return span[0] <= d <= span[1]


def expected(shop: Shop, span: tuple[date, date], channel: str | None) -> dict[str, Decimal | int]:
    lines = [ln for ln in shop.lines if _in(ln.day, span) and channel in (None, ln.channel)]
    live = [ln for ln in lines if ln.status != "cancelled"]
    gmv = sum((ln.paid for ln in live), Decimal(0))
    refunds = sum((ln.refund for ln in lines), Decimal(0))
    traffic = [t for t in shop.traffic if _in(t.day, span) and channel in (None, t.channel)]
    return {"gmv": gmv, "refunds": refunds, "net": gmv - refunds,
            "orders": len({(ln.channel, ln.order_id) for ln in live}), "buyers": len({ln.customer for ln in live}),
            "uv": sum(t.uv for t in traffic), "cart": sum(t.cart for t in traffic)}


def pct(num: int, den: int, places: int = 1) -> str:
    kept = (Decimal(num) / Decimal(den)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return f"{kept * 100:.{places}f}%"


def relative(now: Decimal, before: Decimal) -> Decimal:
    return ((now - before) / before).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


# -- /gmv --------------------------------------------------------------------------------------------


def test_gmv_for_one_channel_in_english(bot: Bot) -> None:
    message = answer(bot, "/gmv", "douyin 7d")
    span, before = window_days(7), window_days(7, TODAY.replace(day=TODAY.day - 7))
    e, p = expected(SHOP, span, "douyin"), expected(SHOP, before, "douyin")
    readable = block_text(message["blocks"])
    assert f"*GMV*\n{money_text(Decimal(e['gmv']))}" in readable
    assert f"*Orders*\n{e['orders']:,}" in readable and f"*Buyers*\n{e['buyers']:,}" in readable
    assert f"*UV*\n{e['uv']:,}" in readable
    assert f"*CVR*\n{pct(int(e['buyers']), int(e['uv']), 2)}" in readable
    assert f"*Refunds*\n{money_text(Decimal(e['refunds']))}" in readable
    assert f"*Net sales*\n{money_text(Decimal(e['net']))}" in readable
    change = relative(Decimal(e["gmv"]), Decimal(p["gmv"]))
    sign = "−" if change < 0 else "+"
    # one sentence names the main driver, with its own change: "GMV −12.0%: mostly traffic (UV −15.0%)"
    assert f"*GMV {sign}{abs(change) * 100:.1f}%: mostly " in readable
    assert message["text"].startswith("GMV · Douyin · 7d: ")
    assert "nan" not in readable.lower() and "inf" not in readable.lower()


def test_gmv_all_channels_in_chinese_by_flag(bot: Bot) -> None:
    message = answer(bot, "/gmv", "--zh 近7天")
    span = window_days(7)
    readable = block_text(message["blocks"])
    assert message["blocks"][0]["text"]["text"] == "GMV · 全部渠道 · 近7天"
    total = expected(SHOP, span, None)
    assert f"*GMV*\n{money_text(Decimal(total['gmv']))}" in readable
    # buyers over every channel are people: one customer on two channels counts once
    assert f"*合计*  {money_text(Decimal(total['gmv']))}" in readable
    assert f"买家 {total['buyers']:,}（同一人只计一次）" in readable
    for slug, name in (("douyin", "抖音"), ("tmall", "天猫"), ("jd", "京东")):
        e = expected(SHOP, span, slug)
        assert f"*{name}*  {money_text(Decimal(e['gmv']))}" in readable
        assert f"买家 {e['buyers']:,}" in readable
    assert "主要因为" in readable or "无法拆解" in readable


def test_gmv_follows_the_users_own_slack_language_and_caches_it(bot: Bot) -> None:
    bot.fake.workspace.users["U0WANG"] = User("U0WANG", "wang", "王芳", locale="zh-CN")
    message = answer(bot, "/gmv", "tmall 7d", user_id="U0WANG")
    assert message["blocks"][0]["text"]["text"] == "GMV · 天猫 · 近7天"
    assert "*订单数*" in block_text(message["blocks"])
    bot.fake.reset()
    status, body = run(bot, "/gmv", "bogus-window-x", user_id="U0WANG")
    assert status == 200 and "未知渠道" in json.loads(body)["text"]
    bot.drain()
    # one lookup for the first reply; the error reply came from the cache
    assert bot.fake.calls("users.info") == []


def test_gmv_flag_beats_the_users_language(sqlite_bot: Bot) -> None:
    sqlite_bot.fake.workspace.users["U0WANG"] = User("U0WANG", "wang", "王芳", locale="zh-CN")
    message = answer(sqlite_bot, "/gmv", "tmall 7d --en", user_id="U0WANG")
    assert message["blocks"][0]["text"]["text"] == "GMV · Tmall · 7d"
    assert sqlite_bot.fake.calls("users.info") == []


ORDER_HEADER = ["order_id", "line_id", "channel", "ordered_at", "sku", "quantity", "paid_amount", "customer_id",
                "status", "refund_amount"]
# UTC timestamps around midnight in Asia/Shanghai (UTC+8): 15:59:59Z is 23:59:59 local, 16:00Z is 00:00 next day
MIDNIGHT_ROWS = [
    ["M1", "1", "jd", "2026-11-13T15:59:59Z", "S1", "1", "100.00", "k1", "paid", "0"],  # 11-13 local: outside
    ["M2", "1", "jd", "2026-11-13T16:00:00Z", "S1", "1", "200.00", "k1", "paid", "0"],  # 11-14 local
    ["M3", "1", "jd", "2026-11-14T23:30:00Z", "S1", "2", "300.00", "k1", "paid", "0"],  # 11-15 07:30 local, same buyer
    ["M4", "1", "jd", "2026-11-15T15:00:00Z", "S2", "1", "50.00", "k2", "refunded", "50.00"],  # 11-15 23:00 local
    ["M5", "1", "jd", "2026-11-15T15:30:00Z", "S2", "1", "80.00", "k3", "cancelled", "0"],  # cancelled: no GMV or buyer
    ["M6", "1", "jd", "2026-11-15T16:00:01Z", "S2", "1", "999.00", "k4", "paid", "0"],  # 11-16 local: outside
]


def _import_midnight_shop(engine: Engine, tmp: Path) -> None:
    path = tmp / "orders.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(ORDER_HEADER)
        w.writerows(MIDNIGHT_ROWS)
    tpath = tmp / "traffic.csv"
    tpath.write_text("date,channel,uv,pv,cart_users\n2026-11-14,jd,40,90,8\n2026-11-15,jd,60,120,12\n",
                     encoding="utf-8")
    opts = ImportOptions(tz=TZ, registry=ChannelRegistry(), today=TODAY)
    import_file(engine, "orders", path, opts)
    import_file(engine, "traffic", tpath, opts)


def test_gmv_counts_utc_orders_on_their_local_day(engine: Engine, start_bot: BotFactory, tmp_path: Path) -> None:
    _import_midnight_shop(engine, tmp_path)
    bot = start_bot(engine)
    message = answer(bot, "/gmv", "京东 2026-11-14..2026-11-15")
    readable = block_text(message["blocks"])
    inside = []
    for row in MIDNIGHT_ROWS:
        local = datetime.fromisoformat(row[3].replace("Z", "+00:00")).astimezone(TZ).date()
        if date(2026, 11, 14) <= local <= date(2026, 11, 15):
            inside.append(row)
    live = [r for r in inside if r[8] != "cancelled"]
    gmv = sum((Decimal(r[6]) for r in live), Decimal(0))
    refunds = sum((Decimal(r[9]) for r in inside), Decimal(0))
    buyers = len({r[7] for r in live})
    assert (gmv, refunds, buyers, len(live)) == (Decimal("550.00"), Decimal("50.00"), 2, 3)
    assert f"*GMV*\n{money_text(gmv)}" in readable
    assert f"*Orders*\n{len(live)}" in readable
    assert f"*Buyers*\n{buyers}" in readable  # k1 bought on both days: one buyer over the window
    assert f"*Refunds*\n{money_text(refunds)}" in readable
    assert f"*Net sales*\n{money_text(gmv - refunds)}" in readable
    assert f"*CVR*\n{pct(buyers, 100, 2)}" in readable
    assert f"*AOV*\n{money_text(gmv / buyers)}" in readable


def test_gmv_bad_window_in_chinese_names_the_word(sqlite_bot: Bot) -> None:
    status, body = run(sqlite_bot, "/gmv", "douyin 13x --zh")
    said = json.loads(body)
    assert status == 200 and said["response_type"] == "ephemeral"
    assert "`13x` 不是有效的区间" in said["text"] and "近7天" in said["text"]
    sqlite_bot.drain()
    assert sqlite_bot.api_calls() == []


# -- /funnel -----------------------------------------------------------------------------------------


def test_funnel_lists_stage_rates_per_channel(bot: Bot) -> None:
    message = answer(bot, "/funnel", "7d")
    span = window_days(7)
    readable = block_text(message["blocks"])
    for slug, name in (("douyin", "Douyin"), ("tmall", "Tmall"), ("jd", "JD")):
        e = expected(SHOP, span, slug)
        uv, cart, buyers = int(e["uv"]), int(e["cart"]), int(e["buyers"])
        assert (f"*{name}*  UV {uv:,} → cart {cart:,} ({pct(cart, uv)}) → buyers {buyers:,} "
                f"({pct(buyers, cart)} of cart)") in readable
    total = expected(SHOP, span, None)
    assert f"*All channels*  UV {int(total['uv']):,} → cart {int(total['cart']):,}" in readable


def test_funnel_flags_high_cart_low_payment_in_chinese(engine: Engine, start_bot: BotFactory, tmp_path: Path) -> None:
    orders = tmp_path / "o.csv"
    rows = [[f"D{i}", "1", "douyin", "2026-11-18 12:00", "S", "1", "10.00", f"d{i}", "paid", "0"] for i in range(30)]
    rows += [[f"T{i}", "1", "tmall", "2026-11-18 12:00", "S", "1", "10.00", f"t{i}", "paid", "0"] for i in range(50)]
    with orders.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(ORDER_HEADER)
        w.writerows(rows)
    traffic = tmp_path / "t.csv"
    # douyin: 30 % add to cart but 10 % of them pay; tmall: 10 % cart, 50 % pay; all: 20 % and 20 %
    traffic.write_text("date,channel,uv,pv,cart_users\n2026-11-18,douyin,1000,3000,300\n"
                       "2026-11-18,tmall,1000,3000,100\n", encoding="utf-8")
    opts = ImportOptions(tz=TZ, registry=ChannelRegistry(), today=TODAY)
    import_file(engine, "orders", orders, opts)
    import_file(engine, "traffic", traffic, opts)
    bot = start_bot(engine)
    message = answer(bot, "/funnel", "--zh 2026-11-18")
    readable = block_text(message["blocks"])
    assert "*抖音*  访客 1,000 → 加购 300（30.0%）→ 买家 30（加购的 10.0%）" in readable
    assert "加购率高、支付率低" in readable.split("*天猫*")[0]
    assert "*天猫*  访客 1,000 → 加购 100（10.0%）→ 买家 50（加购的 50.0%）" in readable
    assert ":warning: *抖音*：加购率 30.0% 高于全渠道 20.0%" in readable
    assert message["blocks"][0]["text"]["text"] == "转化漏斗 · 全部渠道 · 2026-11-18"
