"""All the demo's rows, drawn in one pure call: no database, same arguments, same rows.

    data = generate(today=date(2026, 11, 25), tz=ZoneInfo("Asia/Shanghai"))
    data.tables()["orders"]       # list of dicts keyed by column name
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from metrics.demo_data.experiments import draw_experiments
from metrics.demo_data.orders import draw_orders
from metrics.demo_data.reviews import draw_reviews
from metrics.demo_data.shop import Row, catalog
from metrics.demo_data.stock import draw_inventory
from metrics.demo_data.traffic import draw_ad_spend, draw_traffic


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


def generate(*, today: date, tz: ZoneInfo, seed: int = 618, days: int = 180) -> DemoData:
    """The demo shop's rows for the `days` days ending yesterday; same arguments, same rows."""
    if days < 1:
        raise ValueError("days must be at least 1")
    skus = catalog(seed)
    orders, sales = draw_orders(seed, today, tz, days, skus)
    return DemoData(
        orders=orders,
        traffic=draw_traffic(seed, today, days, sales),
        ad_spend=draw_ad_spend(seed, today, days, sales),
        inventory=draw_inventory(seed, today, skus, sales),
        reviews=draw_reviews(seed, today, tz, days, skus, sales),
        experiments=draw_experiments(seed, today),
    )
