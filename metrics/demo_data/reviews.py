"""Buyers' reviews and social posts in Chinese, scored like imported ones, and the demo's incident.

    rows = draw_reviews(618, today, tz, 180, catalog(618), sales)
    # ends with a burst of allergy complaints about one face cream, live at any hour of `today`
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from metrics import sentiment
from metrics.clock import utc_naive
from metrics.demo_data.orders import Sales
from metrics.demo_data.shop import BRAND, BURST_PRODUCT, Row, Sku, stream

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
    created_at = utc_naive(local.replace(tzinfo=tz))
    return {"review_id": review_id, "channel": channel, "sku": sku, "created_at": created_at,
            "created_date": local.date(), "text": text, "rating": rating, "author_followers": followers,
            "sentiment": round(sentiment.score(text), 4), "topic": sentiment.topic(text)}


def _followers(rng: random.Random) -> int:
    # reach is heavy-tailed: most authors are ordinary users, a few are influencers
    return min(2_000_000, round(rng.lognormvariate(7.5, 1.6)))


def draw_reviews(seed: int, today: date, tz: ZoneInfo, days: int, skus: list[Sku], sales: Sales) -> list[Row]:
    rng = stream(seed, "reviews")
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


def _burst(rng: random.Random, today: date, tz: ZoneInfo, skus: list[Sku]) -> list[Row]:
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
