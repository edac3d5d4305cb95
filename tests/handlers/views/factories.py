"""Content objects for view tests, built straight from the `metrics` dataclasses: no database.

    summary(gmv=Decimal("1234.50"), orders=3)       # every other figure zero, every ratio None
    stock_item("SKU1", status=CRITICAL, name=HUGE)  # a 10,000-character product name
    same(deepcopy(report), report)                  # purity checks that understand DataFrames
"""

from __future__ import annotations

import dataclasses
import math
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pandas as pd

from metrics.budget import FINANCE, OPS, Approval, BudgetStatus, ChannelBudget, Event, Period, Request
from metrics.channels import Channel
from metrics.customers import BuyerMix
from metrics.escalation import Incident
from metrics.inventory import CRITICAL, StockItem
from metrics.reports import ChannelDay, DailyReport, MonthlyReport, WeeklyReport
from metrics.sales import RoiResult, SalesSummary
from metrics.windows import Window

LOCALES = ("en", "zh")
DAY = date(2026, 11, 24)
WEEK = Window(date(2026, 11, 16), date(2026, 11, 22), "last-week")
MONTH = Window(date(2026, 10, 1), date(2026, 10, 31), "last-month")
NOW = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)

# oversized content: what a marketplace export or a review feed can really hold
HUGE = "Hydrating face cream with hyaluronic acid, 50 ml, " * 200  # 10,000 characters
HUGE_ZH = "玻尿酸保湿面霜五十毫升补水滋润不油腻，" * 530  # 10,070 characters
LONG_CHANNEL = "抖音旗舰店直播间" * 37 + "xxxx"  # 300 characters
REVIEW = "用了三天脸上起红疹，又痒又疼，客服一直不回复，要求退款！" * 360  # 10,080 characters


def summary(channel: str | None = None, window: Window = WEEK, *, gmv: Decimal = Decimal(0), orders: int = 0,
            spend: Decimal = Decimal(0), uv: int = 0, roi: Decimal | None = None) -> SalesSummary:
    """A summary with the given figures; every ratio None unless given (what an empty day yields)."""
    return SalesSummary(channel=channel, window=window, gmv=gmv, refunds=Decimal(0), net_sales=gmv, orders=orders,
                        buyers=orders, uv=uv, pv=uv, cart_users=0, cart_rate=None, cvr=None, aov=None,
                        spend=spend, clicks=0, impressions=0, cpc=None, ctr=None, roi=roi, attributed=False)


def roi_result(channel: str | None, roi: Decimal | None, window: Window = WEEK,
               spend: Decimal = Decimal("1000.00")) -> RoiResult:
    """ROI `roi` on `spend` (no spend when `roi` is None); cpc and ctr None."""
    gmv = (roi or Decimal(0)) * spend
    return RoiResult(channel=channel, window=window, spend=spend if roi is not None else Decimal(0), gmv=gmv,
                     attributed=False, roi=roi, channel_gmv=gmv, clicks=0, impressions=0, cpc=None, ctr=None)


def channels(n: int, name: str = "Channel") -> tuple[Channel, ...]:
    return tuple(Channel(f"c{i}", f"{name} {i}", f"{name}{i}") for i in range(n))


def _day(d: date) -> Window:
    return Window(d, d, d.isoformat())


def channel_day(channel: Channel | None, gmv: Decimal = Decimal(0), before: Decimal = Decimal(0)) -> ChannelDay:
    return ChannelDay(channel=channel, day=summary(None if channel is None else channel.slug, _day(DAY), gmv=gmv),
                      day_before=summary(None, _day(DAY - timedelta(days=1)), gmv=before),
                      week_before=summary(None, _day(DAY - timedelta(days=7)), gmv=before))


def top_skus(n: int, name: str = "Face cream") -> pd.DataFrame:
    return pd.DataFrame({"sku": [f"SKU{i}" for i in range(n)], "name": [name] * n,
                         "units": [i + 1 for i in range(n)], "gmv": [Decimal(i + 1) * 10 for i in range(n)]})


def daily_report(chans: tuple[Channel, ...] = (), skus: pd.DataFrame | None = None,
                 total_gmv: Decimal = Decimal(0)) -> DailyReport:
    return DailyReport(day=DAY, total=channel_day(None, total_gmv),
                       channels=tuple(channel_day(c, Decimal(100 + i), Decimal(90)) for i, c in enumerate(chans)),
                       top_skus=top_skus(0) if skus is None else skus, open_alerts={})


def weekly_report(chans: tuple[Channel, ...] = (), rois: tuple[Decimal | None, ...] = ()) -> WeeklyReport:
    ranking = tuple(roi_result(c.slug, r) for c, r in zip(chans, rois, strict=True))
    return WeeklyReport(window=WEEK, total=summary(), previous=summary(window=WEEK.previous()), ranking=ranking,
                        channels=chans)


def monthly_report(days: int = 0, target: Decimal | None = None, gmv: Decimal = Decimal(0)) -> MonthlyReport:
    mix = BuyerMix(channel=None, window=MONTH, buyers=0, repeat_buyers=0, repurchase_rate=None, new_buyers=0,
                   returning_buyers=0)
    daily = tuple((MONTH.start + timedelta(days=i), Decimal(100 * i)) for i in range(days))
    return MonthlyReport(window=MONTH, total=summary(window=MONTH, gmv=gmv), previous=summary(window=MONTH),
                         buyers=mix, daily_gmv=daily, target=target)


def stock_item(sku: str, *, status: str = CRITICAL, name: str = "Face cream", cover: float | None = 2.5,
               suggestion: str | None = None) -> StockItem:
    return StockItem(sku=sku, name=name, category=None, on_hand=5, lead_time_days=14, as_of=DAY, units_28d=56,
                     avg_daily_sales=2.0, days_of_cover=cover, gmv_90d=Decimal(0), abc="A", status=status,
                     safety_stock=10.0, reorder_qty=40, suggestion=suggestion)


def incident(sku: str | None = "SKU1", *, level: int = 2, count: int = 6, samples: tuple[str, ...] = (),
             topic: str | None = "quality", followers: int = 0, safety: bool = False) -> Incident:
    key = f"sku:{sku}" if sku is not None else f"social:{topic}"
    return Incident(key=key, sku=sku, topic=topic, count=count, max_followers=followers, safety=safety, level=level,
                    channels=("douyin",), samples=samples, first_at=NOW - timedelta(hours=3), last_at=NOW)


def request(rid: int = 7, *, status: str = "pending", reason: str = "KOL slot", roi: Decimal | None = None,
            approvals: tuple[Approval, ...] = (), note: str | None = None, alert_link: str | None = None,
            amount: Decimal = Decimal("50000.00"), requester: str = "U1") -> Request:
    decided = None if status == "pending" else NOW + timedelta(hours=1)
    return Request(id=rid, month="2026-11", channel="douyin", amount=amount, reason=reason, requester=requester,
                   status=status, created_at=NOW, expires_at=NOW + timedelta(hours=48), decided_at=decided,
                   decided_by=None if status == "pending" else "U3",
                   reject_reason="too much" if status == "rejected" else None, pool_before=Decimal("200000.00"),
                   roi=roi, card_channel=None, card_ts=None, origin_channel=None, alert_channel=None, alert_ts=None,
                   alert_link=alert_link, note=note, approvals=approvals)


def approvals(roi: Decimal | None = None) -> tuple[Approval, ...]:
    return (Approval(FINANCE, "U2", NOW, roi), Approval(OPS, "U3", NOW, roi))


def event(i: int, *, actor: str = "U1", channel: str | None = "douyin", detail: str | None = None,
          amount: Decimal | None = Decimal("100.00")) -> Event:
    return Event(id=i, at=NOW + timedelta(minutes=i), month="2026-11", kind="request", actor=actor, request_id=i,
                 channel=channel, amount=amount, pool_before=None, pool_after=None, detail=detail)


def period(pool_left: Decimal = Decimal("0")) -> Period:
    return Period(month="2026-11", total=Decimal(0), pool=Decimal(0), pool_left=pool_left, updated_by="cli",
                  updated_at=NOW)


def channel_budget(slug: str, *, roi: Decimal | None = None, paused: bool = False,
                   below_floor: bool = False, allocated: Decimal = Decimal("1000.00")) -> ChannelBudget:
    return ChannelBudget(channel=slug, allocated=allocated, released=Decimal(0), spend=Decimal("10.00"), roi=roi,
                         floor=Decimal(2), paused=paused, below_floor=below_floor)


def budget_status(p: Period | None, chans: tuple[ChannelBudget, ...] = (),
                  pending: tuple[Request, ...] = ()) -> BudgetStatus:
    return BudgetStatus(month="2026-11", period=p, channels=chans, pending=pending, spend_through=DAY)


# -- purity ------------------------------------------------------------------------------------------------------


def same(a: Any, b: Any) -> bool:
    """Deep equality that compares DataFrames by value, dtype and index (and NaN equal to NaN)."""
    if isinstance(a, pd.DataFrame) or isinstance(b, pd.DataFrame):
        return (type(a) is type(b) and list(a.columns) == list(b.columns) and list(a.dtypes) == list(b.dtypes)
                and a.index.equals(b.index) and a.equals(b))
    if isinstance(a, pd.Series) or isinstance(b, pd.Series):
        return type(a) is type(b) and a.dtype == b.dtype and a.index.equals(b.index) and a.equals(b)
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return type(a) is type(b) and all(same(getattr(a, f.name), getattr(b, f.name))
                                          for f in dataclasses.fields(a))
    if isinstance(a, list | tuple):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)
