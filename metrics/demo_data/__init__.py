"""A deterministic demo shop: six channels, ~150 SKUs, half a year of orders and what goes with them.

    data = generate(today=date(2026, 11, 25), tz=ZoneInfo("Asia/Shanghai"))   # pure, no database
    counts = seed_demo(engine, today=date(2026, 11, 25), tz=ZoneInfo("Asia/Shanghai"))

The data tells the stories the bot is built to notice: weekends and 618 / 双11 peaks, Douyin's
ROI sinking below the 1:2 floor over the last five days, a handful of SKUs short of stock or
sitting on too much, and a burst of allergy complaints about one face cream in the last two days.
Each part draws from its own `random.Random` stream derived from `seed` (`shop.stream`), so
changing how reviews are written never moves an order. One module per thing drawn: `shop`,
`orders`, `traffic` (and ads), `stock`, `reviews`, `experiments`; `dataset` draws them all,
`seed` loads them.
"""

from __future__ import annotations

from metrics.demo_data.dataset import DemoData, generate
from metrics.demo_data.seed import DEMO_TABLES, REPLACED_TABLES, DemoDataExists, is_empty, seed_demo
from metrics.demo_data.shop import CHANNELS

__all__ = ["CHANNELS", "DEMO_TABLES", "REPLACED_TABLES", "DemoData", "DemoDataExists", "generate", "is_empty",
           "seed_demo"]
