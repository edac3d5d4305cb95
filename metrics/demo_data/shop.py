"""The demo shop itself: six channels with their habits, ~150 SKUs, the festival calendar, the random streams.

    skus = catalog(seed=618)              # same seed, same SKUs, codes SKU-1001…
    rng = stream(618, "orders")           # each part of the data draws from its own stream
    volume, price_factor = festival(date(2026, 11, 11))    # (5.0, 0.85): 双11
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

Row = dict[str, Any]


@dataclass(frozen=True)
class Channel:
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


CHANNELS: tuple[Channel, ...] = (
    Channel("douyin", "DY", "dy", 90, 0.92, 0.09, 0.26, 0.022, 1.3, 0.022, (2.6, 3.4), 0.70,
             (("千川-直播间", 0.55), ("千川-短视频", 0.30), ("随心推", 0.15)),
             (("护肤", 1.3), ("彩妆", 1.3), ("食品", 1.2))),
    Channel("tmall", "TM", "tm", 84, 1.00, 0.05, 0.34, 0.034, 1.9, 0.028, (2.8, 3.8), 0.45,
             (("直通车-关键词", 0.5), ("万相台-货品加速", 0.3), ("引力魔方-人群", 0.2))),
    Channel("jd", "JD", "jd", 45, 1.00, 0.04, 0.32, 0.040, 2.1, 0.025, (4.5, 6.0), None,
             (("京东快车", 0.6), ("京准通-海投", 0.4)),
             (("母婴", 1.6), ("个护", 1.3), ("家居", 1.2))),
    Channel("pdd", "PDD", "pdd", 42, 0.82, 0.06, 0.30, 0.045, 0.8, 0.035, (3.5, 4.5), None,
             (("多多搜索", 0.6), ("全站推广", 0.4)),
             (("食品", 1.7), ("家居", 1.5), ("个护", 1.2), ("彩妆", 0.6))),
    Channel("xiaohongshu", "XHS", "xhs", 24, 0.97, 0.05, 0.26, 0.019, 2.5, 0.030, (2.6, 3.2), None,
             (("聚光-信息流", 0.6), ("聚光-搜索", 0.4)),
             (("护肤", 1.8), ("彩妆", 1.8), ("食品", 0.7), ("家居", 0.8))),
    Channel("wechat", "WX", "wx", 15, 0.95, 0.03, 0.50, 0.052, 1.5, 0.018, (6.0, 9.0), None,
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


@dataclass(frozen=True)
class Sku:
    code: str
    name: str
    category: str
    price_cents: int
    popularity: float


def stream(seed: int, part: str) -> random.Random:
    # a string seed is hashed with SHA-512, so each part's stream is stable across processes
    return random.Random(f"ecombot-demo:{seed}:{part}")


def catalog(seed: int) -> list[Sku]:
    rng = stream(seed, "catalog")
    skus: list[Sku] = []
    for category, products in CATALOG.items():
        for product, specs in products:
            base = CATEGORY_WEIGHT[category] * rng.lognormvariate(0, 0.8)
            for i, (spec, yuan) in enumerate(specs):
                # the first spec is the everyday one; the second sells less
                popularity = base * (1.0 if i == 0 else rng.uniform(0.3, 0.7))
                if product == BURST_PRODUCT and i == 0:
                    popularity = max(popularity, 3.0)  # the incident hits a best-seller
                skus.append(Sku(f"SKU-{1001 + len(skus)}", f"{product} {spec}", category, yuan * 100, popularity))
    return skus


def festival(day: date) -> tuple[float, float]:
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


def cum(weights: Sequence[float]) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


def pick(rng: random.Random, cum: list[float]) -> int:
    # min(): a product rounded up to the total would otherwise index past the end
    return min(len(cum) - 1, bisect.bisect_right(cum, rng.random() * cum[-1]))
