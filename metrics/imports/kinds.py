"""What can be imported (SPEC §3): each kind's table, columns, key; and the options of one import.

    kind = kind_named("ad-spend")            # Kind("ad_spend", schema.ad_spend, cols, key)
    kind.required                            # the columns a file must have
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import Table

from metrics import schema
from metrics.channels import ChannelRegistry
from metrics.sentiment_topics import TopicSet

if TYPE_CHECKING:
    from metrics.sentiment import Model


@dataclass(frozen=True)
class Col:
    name: str
    type: str  # text | int | money | timestamp | date | status | channel | source
    required: bool = True
    min: int = 0
    max: int = 10**12
    length: int | None = 64


@dataclass(frozen=True)
class Kind:
    name: str
    table: Table
    cols: tuple[Col, ...]
    key: tuple[str, ...]

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.cols if c.required)


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("orders", schema.orders, (
            Col("order_id", "text"),
            Col("line_id", "text", required=False, length=128),
            Col("channel", "channel"),
            Col("ordered_at", "timestamp"),
            Col("sku", "text"),
            Col("quantity", "int", min=1, max=10**9),
            Col("paid_amount", "money"),
            Col("customer_id", "text"),
            Col("status", "status", required=False),
            Col("refund_amount", "money", required=False),
        ), ("channel", "order_id", "line_key")),
        Kind("traffic", schema.traffic, (
            Col("date", "date"),
            Col("channel", "channel"),
            Col("uv", "int"),
            Col("pv", "int"),
            Col("cart_users", "int", required=False),
        ), ("date", "channel")),
        Kind("ad_spend", schema.ad_spend, (
            Col("date", "date"),
            Col("channel", "channel"),
            Col("campaign", "text", length=128),
            Col("spend", "money"),
            Col("impressions", "int", required=False),
            Col("clicks", "int", required=False),
            Col("attributed_gmv", "money", required=False),
        ), ("date", "channel", "campaign")),
        Kind("inventory", schema.inventory, (
            Col("sku", "text"),
            Col("name", "text", length=255),
            Col("category", "text", required=False, length=128),
            Col("on_hand", "int"),
            Col("lead_time_days", "int", min=1, max=3650),
            Col("unit_cost", "money", required=False),
            Col("as_of", "date", required=False),
        ), ("sku", "as_of")),
        Kind("reviews", schema.reviews, (
            Col("review_id", "text", length=128),
            Col("channel", "source"),
            Col("sku", "text", required=False),
            Col("created_at", "timestamp"),
            Col("text", "text", length=None),
            Col("rating", "int", required=False, min=1, max=5),
            Col("author_followers", "int", required=False),
        ), ("review_id",)),
        Kind("experiments", schema.experiments, (
            Col("experiment", "text", length=128),
            Col("variant", "text"),
            Col("date", "date"),
            Col("visitors", "int"),
            Col("conversions", "int"),
            Col("revenue", "money", required=False),
        ), ("experiment", "variant", "date")),
    )
}

# the platforms' own status words, as they appear in back-office exports
STATUSES = {
    "paid": "paid", "已付款": "paid", "已支付": "paid", "交易成功": "paid", "已完成": "paid", "已发货": "paid",
    "待发货": "paid", "已签收": "paid",
    "refunded": "refunded", "已退款": "refunded", "退款成功": "refunded", "售后完成": "refunded",
    "cancelled": "cancelled", "canceled": "cancelled", "已取消": "cancelled", "交易关闭": "cancelled",
    "订单关闭": "cancelled",
}


def kind_named(name: str) -> Kind:
    """'orders', 'ad-spend', 'ad_spend' … → Kind."""
    key = name.strip().lower().replace("-", "_")
    if key not in KINDS:
        raise ValueError(f"unknown import kind {name!r}; one of: {', '.join(k.replace('_', '-') for k in KINDS)}")
    return KINDS[key]

@dataclass(frozen=True)
class ImportOptions:
    tz: ZoneInfo
    registry: ChannelRegistry
    today: date
    channel: str | None = None  # --channel: a slug or alias for rows without one
    aliases_file: Path | None = None
    progress: bool = False
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    topics: TopicSet | None = None  # SENTIMENT_TOPICS_FILE's; the shipped topics when None
    model: Model | None = None  # SENTIMENT_MODEL_FILE's classifier; the shipped one when None
