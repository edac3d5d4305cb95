"""Visitors and ad spend per channel and day, derived from the orders; Douyin's ROI slump lives here.

    rows = draw_traffic(618, today, 180, sales)      # uv, pv, cart users: conversion within bounds
    rows = draw_ad_spend(618, today, 180, sales)     # per campaign; under 1:2 on Douyin the last 5 days
"""

from __future__ import annotations

import math
from datetime import date, timedelta

from metrics.demo_data.orders import Sales
from metrics.demo_data.shop import CHANNELS, Row, festival, stream

LOW_ROI_DAYS = 5

def draw_traffic(seed: int, today: date, days: int, sales: Sales) -> list[Row]:
    rng = stream(seed, "traffic")
    start = today - timedelta(days=days)
    rows: list[Row] = []
    for ch in CHANNELS:
        for i in range(days):
            day = start + timedelta(days=i)
            buyers = len(sales.buyers.get((ch.slug, day), ()))
            lift = 1.15 if festival(day)[0] >= 1.5 else 1.0  # festival visitors come to buy
            cvr = min(0.058, max(0.016, ch.cvr * lift * rng.uniform(0.9, 1.1)))
            uv = math.ceil(buyers / cvr) if buyers else rng.randint(200, 500)
            cart = max(buyers, round(uv * rng.uniform(0.08, 0.15)))
            rows.append({"date": day, "channel": ch.slug, "uv": uv, "pv": round(uv * rng.uniform(2.5, 4.0)),
                         "cart_users": cart})
    return rows


def draw_ad_spend(seed: int, today: date, days: int, sales: Sales) -> list[Row]:
    rng = stream(seed, "ads")
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
            # normally `roi` is what the platform attributes; in the slump even the channel's whole GMV
            # over spend is under the floor, so the ROI guard pauses Douyin on either basis
            total = gmv / roi if slump else gmv * share / roi
            attributed_roi = roi * share if slump else roi
            weights = [w * rng.uniform(0.8, 1.2) for _, w in ch.campaigns]
            for (campaign, _), w in zip(ch.campaigns, weights, strict=True):
                spend = round(total * w / sum(weights))
                # campaign ROIs scatter around the day's, never across the 1:2 line
                campaign_roi = attributed_roi * rng.uniform(0.9, 1.1)
                cpc = min(2.9, max(0.55, ch.cpc_yuan * (1.35 if slump else 1.0) * rng.uniform(0.85, 1.15)))
                ctr = min(0.048, max(0.011, ch.ctr * rng.uniform(0.85, 1.15)))
                clicks = max(1, round(spend / 100 / cpc))
                rows.append({
                    "date": day, "channel": ch.slug, "campaign": campaign, "spend_cents": spend,
                    "impressions": round(clicks / ctr), "clicks": clicks,
                    "attributed_gmv_cents": round(spend * campaign_roi) if ch.attributed_share else None,
                })
    return rows
