"""A two-week A/B test of a detail-page video, in which variant B converts better.

    rows = draw_experiments(618, today)      # control and B, one row per day each
"""

from __future__ import annotations

from datetime import date, timedelta

from metrics.demo_data.shop import Row, stream

EXPERIMENT = "detail-page-video"
EXPERIMENT_DAYS = 14

def draw_experiments(seed: int, today: date) -> list[Row]:
    rng = stream(seed, "experiments")
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
