"""A deterministic demo shop: six channels, ~150 SKUs, half a year of orders and what goes with them.

    data = generate(today=date(2026, 11, 25), tz=ZoneInfo("Asia/Shanghai"))   # pure, no database
    counts = seed_demo(engine, today=date(2026, 11, 25), tz=ZoneInfo("Asia/Shanghai"))

The data tells the stories the bot is built to notice: weekends and 618 / 双11 peaks, Douyin's
ROI sinking below the 1:2 floor over the last five days, a handful of SKUs short of stock or
sitting on too much, and a burst of allergy complaints about one face cream in the last two days.
Each part draws from its own `random.Random` stream derived from `seed`, so changing how reviews
are written never moves an order.
"""

from __future__ import annotations

import bisect
import math
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select

from metrics import schema, sentiment
from metrics.db import upsert
from metrics.inventory import abc_classes
from metrics.rollup import refresh_all

Row = dict[str, Any]

DEMO_TABLES = (schema.orders, schema.traffic, schema.ad_spend, schema.inventory, schema.reviews,
               schema.experiments)
# what a --force reload clears: the facts, the rollup built from them and the import log about them
REPLACED_TABLES = (schema.daily_sales, *DEMO_TABLES, schema.imports)


class DemoDataExists(RuntimeError):
    """The database already holds shop data; seeding would mix the demo into it."""


@dataclass(frozen=True)
class DemoData:
    orders: list[Row]
    traffic: list[Row]
    ad_spend: list[Row]
    inventory: list[Row]
    reviews: list[Row]
    experiments: list[Row]

    def tables(self) -> dict[str, list[Row]]:
        return {"orders": self.orders, "traffic": self.traffic, "ad_spend": self.ad_spend,
                "inventory": self.inventory, "reviews": self.reviews, "experiments": self.experiments}


# --- the shop ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Channel:
    slug: str
    order_prefix: str
    customer_prefix: str
    orders_per_day: float
    price_factor: float  # live-room and subsidy discounts against the list price
    refund_rate: float
    repeat_share: float  # share of orders placed by someone who bought here before
    cvr: float
    cpc_yuan: float
    ctr: float
    roi: tuple[float, float]  # daily range: attributed ROI where the platform reports it, else GMV/spend
    attributed_share: float | None  # share of GMV the ad platform claims; None = not reported
    campaigns: tuple[tuple[str, float], ...]
    category_boost: tuple[tuple[str, float], ...] = ()


CHANNELS: tuple[_Channel, ...] = (
    _Channel("douyin", "DY", "dy", 90, 0.92, 0.09, 0.26, 0.022, 1.3, 0.022, (2.6, 3.4), 0.70,
             (("千川-直播间", 0.55), ("千川-短视频", 0.30), ("随心推", 0.15)),
             (("护肤", 1.3), ("彩妆", 1.3), ("食品", 1.2))),
    _Channel("tmall", "TM", "tm", 84, 1.00, 0.05, 0.34, 0.034, 1.9, 0.028, (2.8, 3.8), 0.45,
             (("直通车-关键词", 0.5), ("万相台-货品加速", 0.3), ("引力魔方-人群", 0.2))),
    _Channel("jd", "JD", "jd", 45, 1.00, 0.04, 0.32, 0.040, 2.1, 0.025, (4.5, 6.0), None,
             (("京东快车", 0.6), ("京准通-海投", 0.4)),
             (("母婴", 1.6), ("个护", 1.3), ("家居", 1.2))),
    _Channel("pdd", "PDD", "pdd", 42, 0.82, 0.06, 0.30, 0.045, 0.8, 0.035, (3.5, 4.5), None,
             (("多多搜索", 0.6), ("全站推广", 0.4)),
             (("食品", 1.7), ("家居", 1.5), ("个护", 1.2), ("彩妆", 0.6))),
    _Channel("xiaohongshu", "XHS", "xhs", 24, 0.97, 0.05, 0.26, 0.019, 2.5, 0.030, (2.6, 3.2), None,
             (("聚光-信息流", 0.6), ("聚光-搜索", 0.4)),
             (("护肤", 1.8), ("彩妆", 1.8), ("食品", 0.7), ("家居", 0.8))),
    _Channel("wechat", "WX", "wx", 15, 0.95, 0.03, 0.50, 0.052, 1.5, 0.018, (6.0, 9.0), None,
             (("朋友圈广告", 0.6), ("视频号-加热", 0.4)),
             (("护肤", 1.2), ("母婴", 1.2))),
)

# category → (product, [(spec, list price in yuan), …]); two specs each give the SKUs
CATALOG: dict[str, tuple[tuple[str, tuple[tuple[str, int], ...]], ...]] = {
    "护肤": (
        ("玻尿酸补水面膜", (("10片装", 59), ("20片装", 99))),
        ("烟酰胺美白精华", (("30ml", 169), ("50ml", 249))),
        ("氨基酸洁面乳", (("120g", 69), ("2支装", 119))),
        ("神经酰胺修护面霜", (("50g", 199), ("30g", 139))),
        ("视黄醇抗初老精华", (("30ml", 259), ("15ml", 149))),
        ("清爽防晒乳 SPF50+", (("50ml", 129), ("2支装", 219))),
        ("积雪草舒缓爽肤水", (("200ml", 99), ("400ml", 169))),
        ("胜肽紧致眼霜", (("20g", 229), ("礼盒装", 399))),
        ("温和卸妆油", (("150ml", 89), ("300ml", 149))),
        ("烟酰胺身体乳", (("250ml", 79), ("400ml", 119))),
        ("水杨酸祛痘凝胶", (("15g", 59), ("30g", 99))),
        ("维C亮肤精华液", (("30ml", 189), ("50ml", 279))),
        ("补水保湿喷雾", (("150ml", 49), ("300ml", 79))),
    ),
    "彩妆": (
        ("丝绒雾面口红", (("#01 正红", 89), ("#06 豆沙", 89))),
        ("持妆粉底液", (("30ml 自然色", 199), ("30ml 象牙白", 199))),
        ("气垫BB霜", (("01 亮白", 159), ("替换芯", 79))),
        ("控油散粉", (("10g", 99), ("礼盒装", 169))),
        ("防水眼线笔", (("黑色", 49), ("棕色", 49))),
        ("纤长睫毛膏", (("8g", 79), ("2支装", 139))),
        ("十色眼影盘", (("大地色", 129), ("玫瑰色", 129))),
        ("哑光腮红", (("蜜桃色", 69), ("珊瑚色", 69))),
        ("轻薄遮瑕液", (("01 亮肤", 89), ("02 自然", 89))),
        ("定妆喷雾", (("100ml", 89), ("50ml", 59))),
        ("极细眉笔", (("自然棕", 39), ("深灰", 39))),
        ("水光唇釉", (("#03 水光", 79), ("#05 丝绒", 79))),
    ),
    "个护": (
        ("无硅油洗发水", (("500ml", 69), ("1L", 119))),
        ("氨基酸沐浴露", (("500ml", 59), ("1L", 99))),
        ("护发精油", (("100ml", 89), ("50ml", 59))),
        ("美白牙膏", (("120g×2", 39), ("120g×4", 69))),
        ("电动牙刷替换头", (("4支装", 79), ("8支装", 139))),
        ("香氛洗手液", (("300ml", 29), ("3瓶装", 79))),
        ("清爽止汗露", (("50ml", 49), ("2瓶装", 89))),
        ("男士控油洁面", (("120g", 59), ("2支装", 99))),
        ("香氛护手霜", (("30g×3", 49), ("礼盒装", 89))),
        ("头皮清洁洗发膏", (("200g", 99), ("400g", 169))),
        ("清新漱口水", (("500ml", 29), ("2瓶装", 49))),
        ("去屑洗发水", (("400ml", 59), ("750ml", 89))),
    ),
    "食品": (
        ("每日坚果", (("25g×30袋", 129), ("25g×7袋", 39))),
        ("低糖燕麦片", (("1kg", 39), ("2kg", 69))),
        ("冻干咖啡粉", (("24颗", 69), ("48颗", 119))),
        ("手撕牛肉干", (("250g", 59), ("500g", 109))),
        ("黑芝麻丸", (("108g", 29), ("3盒装", 79))),
        ("即食燕窝", (("6瓶礼盒", 299), ("12瓶礼盒", 549))),
        ("无糖苏打饼干", (("1kg", 35), ("2kg", 65))),
        ("柳州螺蛳粉", (("3袋装", 39), ("10袋装", 119))),
        ("蜂蜜柚子茶", (("1kg", 49), ("500g", 29))),
        ("挂耳咖啡", (("10包", 49), ("30包", 129))),
        ("红枣枸杞茶", (("20包", 39), ("40包", 69))),
        ("即食鸡胸肉", (("100g×10", 69), ("100g×20", 129))),
        ("冷压果蔬汁", (("300ml×6", 59), ("300ml×12", 109))),
    ),
    "母婴": (
        ("婴儿纸尿裤", (("M码 50片", 119), ("L码 46片", 119))),
        ("婴儿拉拉裤", (("XL码 38片", 109), ("XXL码 34片", 109))),
        ("婴儿手口湿巾", (("80抽×5包", 39), ("80抽×10包", 69))),
        ("宝宝洗发沐浴二合一", (("300ml", 69), ("500ml", 99))),
        ("婴儿润肤霜", (("50g", 79), ("100g", 129))),
        ("儿童牙膏", (("50g", 29), ("3支装", 69))),
        ("婴幼儿有机米粉", (("250g", 69), ("2罐装", 129))),
        ("宽口径玻璃奶瓶", (("240ml", 129), ("300ml", 139))),
        ("孕妇护肤套装", (("3件套", 299), ("5件套", 459))),
        ("一次性防溢乳垫", (("100片", 49), ("200片", 89))),
        ("婴儿棉柔巾", (("100抽×6包", 49), ("100抽×12包", 89))),
        ("儿童防晒霜", (("SPF30 50ml", 89), ("2支装", 159))),
    ),
    "家居": (
        ("香薰蜡烛", (("200g", 89), ("礼盒装", 159))),
        ("藤条香薰", (("100ml", 69), ("200ml", 119))),
        ("原木抽纸", (("3层100抽×24包", 59), ("3层100抽×12包", 32))),
        ("厨房清洁湿巾", (("80片×3包", 29), ("80片×6包", 49))),
        ("洗衣凝珠", (("52颗", 59), ("104颗", 99))),
        ("除螨喷雾", (("500ml", 49), ("2瓶装", 89))),
        ("桌面收纳盒", (("3件套", 79), ("5件套", 119))),
        ("记忆棉枕", (("标准款", 199), ("加高款", 229))),
        ("纯棉四件套", (("1.5m", 299), ("1.8m", 349))),
        ("加厚纯棉浴巾", (("1条", 59), ("2条装", 109))),
        ("马桶清洁剂", (("500g×2", 29), ("500g×4", 49))),
        ("硅藻泥地垫", (("60×39cm", 49), ("80×50cm", 69))),
        ("不锈钢保温杯", (("500ml", 129), ("350ml", 109))),
    ),
}
CATEGORY_WEIGHT = {"护肤": 1.4, "彩妆": 1.0, "个护": 0.9, "食品": 1.0, "母婴": 0.8, "家居": 0.7}
BRAND = "森屿"
BURST_PRODUCT = "神经酰胺修护面霜"

WEEKDAY_FACTOR = (0.92, 0.90, 0.93, 0.97, 1.05, 1.22, 1.20)  # Monday first: weekends sell more
# local hour of day → relative order volume: lunch break and an evening peak
HOUR_WEIGHT = (3, 2, 1, 0.5, 0.4, 0.5, 1, 2, 3, 4, 5, 5.5, 6, 5, 4.5, 4.5, 5, 5.5, 6, 7.5, 9, 10, 9, 6)
LIVE_HOURS = range(19, 24)  # Douyin's live rooms sell most in the evening
LINES_PER_ORDER = ((1, 78), (2, 16), (3, 6))
LOW_ROI_DAYS = 5
EXPERIMENT = "detail-page-video"
EXPERIMENT_DAYS = 14

# target inventory mix (SPEC §5); the rest of the selling SKUs are healthy
STOCK_TARGETS = {"critical": 7, "warning": 7, "overstock": 7}
DEAD_SKUS = 4


@dataclass(frozen=True)
class _Sku:
    code: str
    name: str
    category: str
    price_cents: int
    popularity: float


def _rng(seed: int, part: str) -> random.Random:
    # a string seed is hashed with SHA-512, so each part's stream is stable across processes
    return random.Random(f"ecombot-demo:{seed}:{part}")


def _catalog(seed: int) -> list[_Sku]:
    rng = _rng(seed, "catalog")
    skus: list[_Sku] = []
    for category, products in CATALOG.items():
        for product, specs in products:
            base = CATEGORY_WEIGHT[category] * rng.lognormvariate(0, 0.8)
            for i, (spec, yuan) in enumerate(specs):
                # the first spec is the everyday one; the second sells less
                popularity = base * (1.0 if i == 0 else rng.uniform(0.3, 0.7))
                if product == BURST_PRODUCT and i == 0:
                    popularity = max(popularity, 3.0)  # the incident hits a best-seller
                skus.append(_Sku(f"SKU-{1001 + len(skus)}", f"{product} {spec}", category, yuan * 100, popularity))
    return skus


def _campaign(day: date) -> tuple[float, float]:
    """(volume multiplier, price factor) of the platform festivals: 618 and 双11."""
    y = day.year
    if date(y, 6, 1) <= day <= date(y, 6, 20):
        if day.day == 18:
            return 4.2, 0.85
        if day.day == 1:
            return 2.0, 0.90  # opening night
        if day.day <= 14:
            return 1.25 + 0.02 * (day.day - 2), 0.92
        if day.day <= 17:
            return 1.8, 0.90
        return 0.85, 1.0  # the hangover after the peak
    if date(y, 10, 20) <= day <= date(y, 11, 14):
        if day == date(y, 11, 11):
            return 5.0, 0.85
        if day == date(y, 10, 20):
            return 1.6, 0.92  # presale opens
        if day <= date(y, 10, 30):
            return 1.2, 0.95
        if day <= date(y, 11, 3):
            return 2.3, 0.88  # first sales wave
        if day <= date(y, 11, 10):
            return 1.3, 0.92
        return 0.85, 1.0
    return 1.0, 1.0


def _utc(day: date, seconds: int, tz: ZoneInfo) -> datetime:
    local = datetime.combine(day, time()) + timedelta(seconds=seconds)
    return local.replace(tzinfo=tz).astimezone(UTC).replace(tzinfo=None)


def _cum(weights: Sequence[float]) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


def _pick(rng: random.Random, cum: list[float]) -> int:
    # min(): a product rounded up to the total would otherwise index past the end
    return min(len(cum) - 1, bisect.bisect_right(cum, rng.random() * cum[-1]))


# --- orders -----------------------------------------------------------------------------------


@dataclass
class _Sales:
    """What the other tables are derived from, gathered while the orders are drawn."""

    gmv: Counter[tuple[str, date]]
    buyers: dict[tuple[str, date], set[str]]
    units_by_sku_day: Counter[tuple[str, date]]
    gmv_by_sku_day: Counter[tuple[str, date]]
    review_candidates: list[tuple[str, str, datetime, bool]]  # channel, sku, local ordered_at, refunded
    retired: dict[str, date]  # discontinued SKU → its last day on sale


def _orders(seed: int, today: date, tz: ZoneInfo, days: int, skus: list[_Sku]) -> tuple[list[Row], _Sales]:
    rng = _rng(seed, "orders")
    review_rng = _rng(seed, "review-picks")
    start = today - timedelta(days=days)
    by_code = {s.code: s for s in skus}
    # a few slow sellers were discontinued a month or two ago: the dead stock of the demo
    slow = sorted(skus, key=lambda s: s.popularity)[10:40]
    retired = {s.code: today - timedelta(days=rng.randint(35, 60)) for s in rng.sample(slow, DEAD_SKUS)
               if not s.name.startswith(BURST_PRODUCT)}
    hour_cum = _cum(HOUR_WEIGHT)
    live_cum = _cum([w * (1.8 if h in LIVE_HOURS else 1.0) for h, w in enumerate(HOUR_WEIGHT)])
    # festival peaks start at midnight, when the deposits are paid off
    peak_cum = _cum([w * (6.0 if h == 0 else 1.0) for h, w in enumerate(HOUR_WEIGHT)])
    lines_cum = _cum([w for _, w in LINES_PER_ORDER])
    rows: list[Row] = []
    sales = _Sales(Counter(), {}, Counter(), Counter(), [], retired)
    for ch in CHANNELS:
        boost = dict(ch.category_boost)
        sku_cum = _cum([s.popularity * boost.get(s.category, 1.0) for s in skus])
        customers: list[str] = []
        for i in range(days):
            day = start + timedelta(days=i)
            volume, price_factor = _campaign(day)
            trend = 1 + 0.15 * i / days
            special = 1.6 if ch.slug == "douyin" and rng.random() < 0.04 else 1.0  # an influencer's live show
            mean = ch.orders_per_day * WEEKDAY_FACTOR[day.weekday()] * volume * trend * special
            mean *= rng.uniform(0.92, 1.08)
            n = max(0, round(rng.gauss(mean, math.sqrt(mean))))
            is_peak = volume >= 4
            cum_hours = peak_cum if is_peak else live_cum if ch.slug == "douyin" else hour_cum
            for seq in range(1, n + 1):
                if customers and rng.random() < ch.repeat_share:
                    customer = rng.choice(customers)
                else:
                    customer = f"{ch.customer_prefix}-C{len(customers) + 1:06d}"
                    customers.append(customer)
                u = rng.random()
                status = "refunded" if u < ch.refund_rate else "cancelled" if u < ch.refund_rate + 0.02 else "paid"
                seconds = _pick(rng, cum_hours) * 3600 + rng.randrange(3600)
                ordered_at = _utc(day, seconds, tz)
                order_id = f"{ch.order_prefix}{day:%y%m%d}{seq:05d}"
                n_lines = LINES_PER_ORDER[_pick(rng, lines_cum)][0]
                chosen: list[str] = []
                while len(chosen) < n_lines:
                    sku = skus[_pick(rng, sku_cum)]
                    if sku.code in chosen or (sku.code in retired and day > retired[sku.code]):
                        continue
                    chosen.append(sku.code)
                for j, code in enumerate(chosen, 1):
                    sku = by_code[code]
                    q = rng.random()
                    multi = 0.35 if sku.category == "食品" else 0.2
                    quantity = 1 if q >= multi else 2 if q >= multi / 3 else 3
                    paid = round(sku.price_cents * quantity * ch.price_factor * price_factor)
                    rows.append({
                        "channel": ch.slug, "order_id": order_id, "line_key": f"{order_id}-{j}",
                        "line_id": f"{order_id}-{j}", "ordered_at": ordered_at, "order_date": day,
                        "sku": code, "quantity": quantity, "paid_cents": paid, "customer_id": customer,
                        "status": status, "refund_cents": paid if status == "refunded" else 0,
                    })
                    if status != "cancelled":
                        sales.gmv[ch.slug, day] += paid
                        sales.units_by_sku_day[code, day] += quantity
                        sales.gmv_by_sku_day[code, day] += paid
                if status != "cancelled":
                    sales.buyers.setdefault((ch.slug, day), set()).add(customer)
                    if review_rng.random() < 0.045:
                        local = datetime.combine(day, time()) + timedelta(seconds=seconds)
                        sales.review_candidates.append((ch.slug, chosen[0], local, status == "refunded"))
    return rows, sales


# --- traffic and ads --------------------------------------------------------------------------


def _traffic(seed: int, today: date, days: int, sales: _Sales) -> list[Row]:
    rng = _rng(seed, "traffic")
    start = today - timedelta(days=days)
    rows: list[Row] = []
    for ch in CHANNELS:
        for i in range(days):
            day = start + timedelta(days=i)
            buyers = len(sales.buyers.get((ch.slug, day), ()))
            lift = 1.15 if _campaign(day)[0] >= 1.5 else 1.0  # festival visitors come to buy
            cvr = min(0.058, max(0.016, ch.cvr * lift * rng.uniform(0.9, 1.1)))
            uv = math.ceil(buyers / cvr) if buyers else rng.randint(200, 500)
            cart = max(buyers, round(uv * rng.uniform(0.08, 0.15)))
            rows.append({"date": day, "channel": ch.slug, "uv": uv, "pv": round(uv * rng.uniform(2.5, 4.0)),
                         "cart_users": cart})
    return rows


def _ad_spend(seed: int, today: date, days: int, sales: _Sales) -> list[Row]:
    rng = _rng(seed, "ads")
    start = today - timedelta(days=days)
    rows: list[Row] = []
    for ch in CHANNELS:
        for i in range(days):
            day = start + timedelta(days=i)
            gmv = sales.gmv[ch.slug, day]
            # the story of the demo: Douyin's bids were raised five days ago and ROI fell under 1:2
            slump = ch.slug == "douyin" and day >= today - timedelta(days=LOW_ROI_DAYS)
            roi = rng.uniform(1.35, 1.75) if slump else rng.uniform(*ch.roi)
            share = ch.attributed_share or 1.0
            total = gmv * share / roi
            weights = [w * rng.uniform(0.8, 1.2) for _, w in ch.campaigns]
            for (campaign, _), w in zip(ch.campaigns, weights, strict=True):
                spend = round(total * w / sum(weights))
                # campaign ROIs scatter around the day's, never across the 1:2 line
                campaign_roi = roi * rng.uniform(0.9, 1.1)
                cpc = min(2.9, max(0.55, ch.cpc_yuan * (1.35 if slump else 1.0) * rng.uniform(0.85, 1.15)))
                ctr = min(0.048, max(0.011, ch.ctr * rng.uniform(0.85, 1.15)))
                clicks = max(1, round(spend / 100 / cpc))
                rows.append({
                    "date": day, "channel": ch.slug, "campaign": campaign, "spend_cents": spend,
                    "impressions": round(clicks / ctr), "clicks": clicks,
                    "attributed_gmv_cents": round(spend * campaign_roi) if ch.attributed_share else None,
                })
    return rows


# --- inventory --------------------------------------------------------------------------------


def stock_class(on_hand: int, units_28d: int, lead_time_days: int, abc: str) -> str:
    """SPEC §5 status of one SKU, exact: critical, warning, overstock, dead or ok."""
    avg = Fraction(units_28d, 28)
    f = Fraction(3, 2) if abc == "A" else Fraction(1)
    if avg and on_hand < avg * max(7, lead_time_days) * f:
        return "critical" if on_hand < avg * lead_time_days else "warning"
    if avg and on_hand > avg * 30:
        return "overstock"
    if not avg and on_hand > 0:
        return "dead"
    return "ok"


def _on_hand_range(status: str, avg: Fraction, lead: int, f: Fraction) -> tuple[int, int]:
    """Inclusive on_hand bounds that put a SKU selling `avg` a day into `status`."""
    low = avg * max(7, lead) * f  # under this is low stock
    if status == "critical":
        return 0, math.ceil(avg * lead) - 1
    if status == "warning":
        return math.ceil(avg * lead), math.ceil(low) - 1
    if status == "overstock":
        return math.floor(avg * 30) + 1, math.floor(avg * 120)
    return math.ceil(low), math.floor(avg * 30)


def _place(rng: random.Random, status: str, avg: Fraction, f: Fraction) -> tuple[int, int] | None:
    """(lead_time_days, on_hand) that put a SKU into `status`, or None when its sales leave no room."""
    for _ in range(20):
        if status == "critical":
            lead = rng.randint(7, 30)
        elif status == "warning":
            # a warning band exists only where the low-stock line lies above the lead time
            lead = rng.randint(7, 18) if f > 1 else rng.randint(3, 5)
        elif status == "overstock":
            lead = rng.randint(7, 25)
        else:
            lead = rng.randint(3, 16) if f > 1 else rng.randint(3, 24)
        lo, hi = _on_hand_range(status, avg, lead, f)
        if lo > hi and status == "ok":
            lead = rng.randint(3, 7)  # below a week of lead time the healthy band is never empty
            lo, hi = _on_hand_range(status, avg, lead, f)
        if lo <= hi:
            if status == "overstock":
                return lead, max(lo, min(hi, round(avg * Fraction(rng.randint(40, 110)))))
            return lead, rng.randint(lo, hi)
    return None


def _inventory(seed: int, today: date, skus: list[_Sku], sales: _Sales) -> list[Row]:
    rng = _rng(seed, "inventory")
    units_28: Counter[str] = Counter()
    units_7: Counter[str] = Counter()
    gmv_90: Counter[str] = Counter()
    for (code, day), units in sales.units_by_sku_day.items():
        if today - timedelta(days=28) <= day < today:
            units_28[code] += units
        if today - timedelta(days=7) <= day < today:
            units_7[code] += units
    for (code, day), cents in sales.gmv_by_sku_day.items():
        if today - timedelta(days=90) <= day < today:
            gmv_90[code] += cents
    abc = abc_classes({s.code: gmv_90[s.code] for s in skus})
    factor = {s.code: Fraction(3, 2) if abc[s.code] == "A" else Fraction(1) for s in skus}
    placed: dict[str, tuple[int, int]] = {}
    selling = [s.code for s in skus if units_28[s.code] > 0]
    pool = rng.sample(selling, len(selling))
    for status, wanted in STOCK_TARGETS.items():
        count = 0
        for code in pool:
            if count == wanted:
                break
            if code in placed:
                continue
            spot = _place(rng, status, Fraction(units_28[code], 28), factor[code])
            if spot is not None:
                placed[code] = spot
                count += 1
    rows: list[Row] = []
    for sku in skus:
        units = units_28[sku.code]
        if sku.code in placed:
            lead, on_hand = placed[sku.code]
        elif units:
            spot = _place(rng, "ok", Fraction(units, 28), factor[sku.code])
            assert spot is not None  # the healthy band is never empty with a short lead time
            lead, on_hand = spot
        else:
            lead = rng.randint(7, 30)
            # a retired SKU's leftovers are the dead stock; anything else that stopped selling is sold out
            on_hand = rng.randint(80, 600) if sku.code in sales.retired else 0
        unit_cost = round(sku.price_cents * rng.uniform(0.22, 0.45))
        common = {"sku": sku.code, "name": sku.name, "category": sku.category, "lead_time_days": lead,
                  "unit_cost_cents": unit_cost}
        # last week's count: what sold since, nothing received
        rows.append({**common, "as_of": today - timedelta(days=7), "on_hand": on_hand + units_7[sku.code]})
        rows.append({**common, "as_of": today, "on_hand": on_hand})
    return rows


# --- reviews ----------------------------------------------------------------------------------

POSITIVE = ("质量很好", "物流很快", "包装精美", "性价比很高", "和描述一致", "正品，放心", "客服态度很好",
            "非常满意", "五星好评", "已经回购好几次了", "推荐购买", "发货速度快", "东西不错，值得购买")
POSITIVE_BY_CATEGORY = {
    "护肤": ("用了一周皮肤水水的", "很保湿，吸收也快", "质地清爽不油腻", "肤感很好，很喜欢", "上脸很舒服"),
    "彩妆": ("颜色很正，很显白", "持妆效果很好", "很服帖，不卡粉", "颜值很高，送人也合适", "显色度很好"),
    "个护": ("用着很舒服", "味道很好闻", "泡沫丰富，很好用", "家里人都说好用", "用着很温和"),
    "食品": ("很好吃，孩子很喜欢", "日期很新鲜", "口感不错，不会太甜", "独立包装很方便", "当早餐很合适"),
    "母婴": ("宝宝很喜欢", "材质很安心", "宝妈们可以放心买", "成分安心，已经囤货了", "用着很放心"),
    "家居": ("做工精细，很结实", "放在家里很好看", "尺寸刚好合适", "用着很方便", "收纳效果很好"),
}
POSITIVE_BY_CHANNEL = {
    "douyin": ("主播讲解很专业，很满意", "直播间价格很划算", "跟着主播买的，很满意"),
    "tmall": ("旗舰店买的，很放心，好评", "88VIP折扣很香"),
    "jd": ("京东物流第二天就到了", "送货上门很方便"),
    "pdd": ("百亿补贴很实惠", "拼单买的，很划算"),
    "xiaohongshu": ("看了小红书笔记来买的，没失望", "博主推荐的，确实好用"),
    "wechat": ("群里团购的，价格很实惠", "老顾客了，一直很喜欢"),
}
MIXED_LEAD = ("还可以吧", "一般般", "中规中矩", "凑合用")
MIXED_TAIL = ("就是物流有点慢", "价格有点贵", "包装有点简陋", "效果没有想象中明显", "味道有点重")
NEGATIVE = ("物流太慢了，等了一个星期", "快递包装破损，东西都压坏了", "客服不理人，问了半天也不回复",
            "售后推诿，退款一直不处理", "发错货了，和描述不符", "感觉像假货，和专柜的不一样",
            "比直播间贵了二十块，不值这个价", "刚买就降价了，也不给补差价", "质量太差了")
NEGATIVE_BY_CATEGORY = {
    "护肤": ("瓶子破损漏液，洒了一半", "用了一个月没什么效果", "有异味，和以前买的不一样"),
    "彩妆": ("颜色和图片不符", "很容易脱妆，还卡粉", "包装破损，粉都碎了"),
    "个护": ("瓶盖漏液，洒了一箱子", "味道太刺鼻了", "用着效果很差，不值"),
    "食品": ("收到快过期了", "有异味，不新鲜", "包装漏气了"),
    "母婴": ("宝宝用了两次就不想用了", "包装破损，外盒都压扁了", "质量一般，对不起这个价"),
    "家居": ("做工粗糙，有瑕疵", "用了一周就坏了", "尺寸和描述的不一样"),
}
SOCIAL_NEGATIVE = ("踩雷了，和宣传的差太多", "质量一般，不值这个价", "用了没什么效果")
BURST = ("用了两天就过敏了，脸上起红疹", "烂脸了！！！又红又肿还刺痛", "涂完脸又红又痒，起了一片小疙瘩，过敏了",
         "敏感肌千万别买，用完直接烂脸", "这批是不是换配方了？以前用没事，这次一用就过敏",
         "我和闺蜜同一批买的，两个人都过敏了", "脸上红肿刺痛，已经去医院看皮肤科了",
         "宣传说敏感肌可用，结果用了烂脸，大家避雷")
BURST_TAIL = ("申请退款客服一直不理", "要求退款，商家还推诿", "希望品牌给个说法", "")
RATINGS = (5, 4, 3, 2, 1)
RATING_WEIGHTS = (62, 22, 7, 4, 5)
REFUNDED_RATING_WEIGHTS = (5, 5, 15, 30, 45)  # a refund usually has a reason
SOCIAL_SHARE = 0.06  # social posts per review, roughly one a day


def _review_text(rng: random.Random, rating: int, channel: str, category: str) -> str:
    if rating >= 4:
        parts = [rng.choice(POSITIVE), rng.choice(POSITIVE_BY_CATEGORY[category])]
        if rng.random() < 0.4:
            parts.append(rng.choice(POSITIVE_BY_CHANNEL[channel]))
        rng.shuffle(parts)
        return "，".join(parts[: rng.randint(1, len(parts))]) + rng.choice(("。", "！", "", "，会回购的。"))
    if rating == 3:
        return f"{rng.choice(MIXED_LEAD)}，{rng.choice(MIXED_TAIL)}。"
    parts = [rng.choice(NEGATIVE_BY_CATEGORY[category]), rng.choice(NEGATIVE)]
    rng.shuffle(parts)
    return "，".join(parts[: rng.randint(1, 2)]) + rng.choice(("。", "！", "，差评。", "，不会再买了。"))


def _review_row(review_id: str, channel: str, sku: str | None, local: datetime, text: str, rating: int | None,
                followers: int | None, tz: ZoneInfo) -> Row:
    created_at = local.replace(tzinfo=tz).astimezone(UTC).replace(tzinfo=None)
    return {"review_id": review_id, "channel": channel, "sku": sku, "created_at": created_at,
            "created_date": local.date(), "text": text, "rating": rating, "author_followers": followers,
            "sentiment": round(sentiment.score(text), 4), "topic": sentiment.topic(text)}


def _followers(rng: random.Random) -> int:
    # reach is heavy-tailed: most authors are ordinary users, a few are influencers
    return min(2_000_000, round(rng.lognormvariate(7.5, 1.6)))


def _reviews(seed: int, today: date, tz: ZoneInfo, days: int, skus: list[_Sku], sales: _Sales) -> list[Row]:
    rng = _rng(seed, "reviews")
    by_code = {s.code: s for s in skus}
    start = datetime.combine(today - timedelta(days=days), time())
    end = datetime.combine(today, time())  # nothing from today: the data ends with yesterday
    rows: list[Row] = []
    for channel, code, ordered, refunded in sales.review_candidates:
        # buyers review after delivery and a few days of use
        local = ordered + timedelta(days=rng.uniform(1.5, 9))
        if local >= end:
            continue
        rating = rng.choices(RATINGS, REFUNDED_RATING_WEIGHTS if refunded else RATING_WEIGHTS)[0]
        sku = by_code[code]
        text = _review_text(rng, rating, channel, sku.category)
        rows.append(_review_row(f"{channel}-R{len(rows) + 1:07d}", channel, code, local.replace(microsecond=0),
                                text, rating, None, tz))
    for n in range(1, round(len(rows) * SOCIAL_SHARE) + 1):
        source = "xiaohongshu" if rng.random() < 0.6 else "weibo"
        sku = rng.choice(skus)
        product = f"{BRAND}{sku.name.split(' ')[0]}"
        if rng.random() < 0.85:
            text = rng.choice((f"被{product}种草了，{rng.choice(POSITIVE_BY_CATEGORY[sku.category])}",
                               f"开箱｜{product}，{rng.choice(POSITIVE_BY_CATEGORY[sku.category])}，姐妹们冲",
                               f"回购无数次的{product}，{rng.choice(POSITIVE)}"))
        else:
            text = f"{product}{rng.choice(SOCIAL_NEGATIVE)}，有点失望"
        local = start + timedelta(seconds=rng.randrange(int((end - start).total_seconds())))
        rows.append(_review_row(f"{source}-P{n:06d}", source, None, local, text, None, _followers(rng), tz))
    rows.extend(_burst(rng, today, tz, skus))
    return rows


def _burst(rng: random.Random, today: date, tz: ZoneInfo, skus: list[_Sku]) -> list[Row]:
    """The incident of the demo: allergy complaints about one face cream, growing through yesterday.

    The last few arrive just after midnight, so a scan at any hour of `today` finds the incident live
    in its trailing 24 hours (the rest of the demo data ends with yesterday).
    """
    cream = next(s for s in skus if s.name.startswith(BURST_PRODUCT))
    product = f"{BRAND}{BURST_PRODUCT}"
    day_before = datetime.combine(today - timedelta(days=2), time(18))
    yesterday = datetime.combine(today - timedelta(days=1), time(8))
    midnight = datetime.combine(today, time())
    rows: list[Row] = []
    for n in range(1, 31):
        if n <= 8:
            local = day_before + timedelta(seconds=rng.randrange(6 * 3600))
        elif n <= 26:
            local = yesterday + timedelta(seconds=rng.randrange(16 * 3600))
        else:
            local = midnight + timedelta(seconds=rng.randrange(40 * 60))
        channel = rng.choices(("douyin", "tmall", "jd", "xiaohongshu", "pdd"), (35, 30, 10, 20, 5))[0]
        followers = None
        text = "，".join(p for p in (rng.choice(BURST), rng.choice(BURST_TAIL)) if p) + "。"
        if channel == "xiaohongshu" and rng.random() < 0.7:
            # a note by a beauty blogger reaches far beyond the shop's own buyers
            followers = rng.choice((rng.randint(10_000, 60_000), rng.randint(100_000, 500_000)))
            text = f"避雷！{product}这批用了烂脸，评论区好多姐妹都中招了。{rng.choice(BURST)}"
        rows.append(_review_row(f"{channel}-X{n:05d}", channel, cream.code, local, text,
                                rng.choices((1, 2), (80, 20))[0], followers, tz))
    for n in range(1, 4):
        local = yesterday + timedelta(seconds=rng.randrange(16 * 3600))
        text = f"{product}烂脸了，已经好几个人过敏，品牌方还不回应？ #{BURST_PRODUCT}过敏#"
        rows.append(_review_row(f"weibo-X{n:05d}", "weibo", None, local, text, None,
                                rng.randint(20_000, 300_000), tz))
    return rows


# --- experiments ------------------------------------------------------------------------------


def _experiments(seed: int, today: date) -> list[Row]:
    rng = _rng(seed, "experiments")
    rows: list[Row] = []
    for i in range(EXPERIMENT_DAYS):
        day = today - timedelta(days=EXPERIMENT_DAYS - i)
        for variant, cvr in (("control", 0.031), ("B", 0.037)):  # the video on the detail page sells
            visitors = round(rng.gauss(2400, 150))
            conversions = min(visitors, round(visitors * cvr * rng.uniform(0.9, 1.1)))
            revenue = round(conversions * 16500 * rng.uniform(0.95, 1.05))
            rows.append({"experiment": EXPERIMENT, "variant": variant, "date": day, "visitors": visitors,
                         "conversions": conversions, "revenue_cents": revenue})
    return rows


# --- the public API ---------------------------------------------------------------------------


def generate(*, today: date, tz: ZoneInfo, seed: int = 618, days: int = 180) -> DemoData:
    """The demo shop's rows for the `days` days ending yesterday; same arguments, same rows."""
    if days < 1:
        raise ValueError("days must be at least 1")
    skus = _catalog(seed)
    orders, sales = _orders(seed, today, tz, days, skus)
    return DemoData(
        orders=orders,
        traffic=_traffic(seed, today, days, sales),
        ad_spend=_ad_spend(seed, today, days, sales),
        inventory=_inventory(seed, today, skus, sales),
        reviews=_reviews(seed, today, tz, days, skus, sales),
        experiments=_experiments(seed, today),
    )


_DATE_COLUMN = {"orders": "order_date", "traffic": "date", "ad_spend": "date", "inventory": "as_of",
                "reviews": "created_date", "experiments": "date"}


def is_empty(engine: Engine) -> bool:
    """True when none of the shop's fact tables holds a row (seeding would mix nothing)."""
    with engine.connect() as conn:
        return all(conn.execute(select(t.c[_DATE_COLUMN[t.name]]).limit(1)).first() is None for t in DEMO_TABLES)


def seed_demo(
    engine: Engine,
    *,
    today: date,
    tz: ZoneInfo,
    seed: int = 618,
    days: int = 180,
    progress: bool = False,
    replace: bool = False,
    now: datetime | None = None,
) -> dict[str, int]:
    """Load `generate(...)` in one transaction and rebuild the rollup; returns rows per table.

    Refuses (`DemoDataExists`) when the shop tables hold data, unless `replace`, which first
    deletes their rows (and the rollup and import log) in the same transaction.
    """
    from tqdm import tqdm

    data = generate(today=today, tz=tz, seed=seed, days=days)
    finished = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    counts: dict[str, int] = {}
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            # the write lock up front, so the emptiness check below cannot race another writer
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        if replace:
            for table in REPLACED_TABLES:
                conn.execute(table.delete())
        else:
            filled = [t.name for t in DEMO_TABLES
                      if conn.execute(select(t.c[_DATE_COLUMN[t.name]]).limit(1)).first() is not None]
            if filled:
                raise DemoDataExists(f"the database already holds {', '.join(filled)}")
        for name, rows in data.tables().items():
            table = schema.metadata.tables[name]
            with tqdm(total=len(rows), unit="rows", desc=f"demo {name}", disable=not progress, leave=False) as bar:
                result = upsert(conn, table, rows, chunk=20000, progress=bar)
            conn.execute(schema.imports.insert().values(
                kind=name, source="demo", finished_at=finished, rows_inserted=result.inserted,
                rows_updated=result.updated, max_date=max((r[_DATE_COLUMN[name]] for r in rows), default=None)))
            counts[name] = len(rows)
            if name == "orders":
                refresh_all(conn)
                counts["daily_sales"] = int(conn.execute(
                    select(func.count()).select_from(schema.daily_sales)).scalar_one())
    return counts


__all__ = ["CHANNELS", "DemoData", "DemoDataExists", "generate", "is_empty", "seed_demo", "stock_class"]
