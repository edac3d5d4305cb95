"""The tables. SQLAlchemy Core, so metric queries stay plain SQL expressions.

Money is stored as integer cents (分): sums are exact on every backend, SQLite included,
and turn into `Decimal` only at the edge (`metrics.money`). Timestamps are stored as naive
UTC; each fact row also carries its local calendar date in BOT_TIMEZONE, fixed at import,
so daily windows are a plain indexed range on every database.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)

CHANNEL = String(32)

orders = Table(
    "orders",
    metadata,
    Column("channel", CHANNEL, primary_key=True),
    Column("order_id", String(64), primary_key=True),
    # line_id when the platform gives one, else the SKU (SPEC §3: the key falls back to sku)
    Column("line_key", String(128), primary_key=True),
    Column("line_id", String(128)),
    Column("ordered_at", DateTime, nullable=False),
    Column("order_date", Date, nullable=False),
    Column("sku", String(64), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("paid_cents", BigInteger, nullable=False),
    Column("customer_id", String(64), nullable=False),
    Column("status", String(16), nullable=False, server_default="paid"),
    Column("refund_cents", BigInteger, nullable=False, server_default="0"),
    # few indexes on purpose: each one costs every import (migration 0004 says how much)
    Index("ix_orders_date_channel", "order_date", "channel"),
    Index("ix_orders_customer", "customer_id", "order_date"),
)

# Rollup of orders per channel and day, rebuilt for the touched days on every import in the
# same transaction, so it can never disagree with `orders`. Distinct counts are not additive
# across days: `orders` adds up over a window except for the few orders with live lines on more
# than one day (`split_orders`), and buyers come from `buyer_days`.
daily_sales = Table(
    "daily_sales",
    metadata,
    Column("date", Date, primary_key=True),
    Column("channel", CHANNEL, primary_key=True),
    Column("gmv_cents", BigInteger, nullable=False),
    Column("refund_cents", BigInteger, nullable=False),
    Column("units", BigInteger, nullable=False),
    Column("lines", BigInteger, nullable=False),
    Column("orders", BigInteger, nullable=False, server_default="0"),  # distinct orders with a live line
)

# Orders whose live lines fall on more than one day: the only ones a sum of daily order counts
# would count twice. Kept with the rollup, for the orders the import touched.
split_orders = Table(
    "split_orders",
    metadata,
    Column("channel", CHANNEL, primary_key=True),
    Column("order_id", String(64), primary_key=True),
)

# One row per customer, channel and day with a live order line, and the customer's previous such
# day on that channel and on any channel. A buyer of window [s, e] is counted once, on the first
# row in it: the one whose previous day is before s. So distinct buyers become a count over an
# index range, never a hash of every customer id. `person_prev` orders a customer's rows by
# (day, channel), so a second channel on the same day has the same day as its previous one and
# is never counted twice. Rebuilt with the rollup for every customer the import touched.
buyer_days = Table(
    "buyer_days",
    metadata,
    Column("customer_id", String(64), primary_key=True),
    Column("channel", CHANNEL, primary_key=True),
    Column("order_date", Date, primary_key=True),
    Column("buyer_prev", Date),
    Column("person_prev", Date),
    # covering: a window's counts read this index only
    Index("ix_buyer_days_date", "order_date", "channel", "buyer_prev", "person_prev"),
)

traffic = Table(
    "traffic",
    metadata,
    Column("date", Date, primary_key=True),
    Column("channel", CHANNEL, primary_key=True),
    Column("uv", BigInteger, nullable=False),
    Column("pv", BigInteger, nullable=False),
    Column("cart_users", BigInteger),
)

ad_spend = Table(
    "ad_spend",
    metadata,
    Column("date", Date, primary_key=True),
    Column("channel", CHANNEL, primary_key=True),
    Column("campaign", String(128), primary_key=True),
    Column("spend_cents", BigInteger, nullable=False),
    Column("impressions", BigInteger),
    Column("clicks", BigInteger),
    Column("attributed_gmv_cents", BigInteger),
    Index("ix_ad_spend_channel_date", "channel", "date"),
)

inventory = Table(
    "inventory",
    metadata,
    Column("sku", String(64), primary_key=True),
    Column("as_of", Date, primary_key=True),
    Column("name", String(255), nullable=False),
    Column("category", String(128)),
    Column("on_hand", BigInteger, nullable=False),
    Column("lead_time_days", Integer, nullable=False),
    Column("unit_cost_cents", BigInteger),
    Index("ix_inventory_as_of", "as_of"),
)

reviews = Table(
    "reviews",
    metadata,
    Column("review_id", String(128), primary_key=True),
    Column("channel", CHANNEL, nullable=False),
    Column("sku", String(64)),
    Column("created_at", DateTime, nullable=False),
    Column("created_date", Date, nullable=False),
    Column("text", Text, nullable=False),
    Column("rating", Integer),
    Column("author_followers", BigInteger),
    # filled by the sentiment classifier (SPEC §7); NULL until scored
    Column("sentiment", Float),
    Column("topic", String(32)),
    Index("ix_reviews_created_at", "created_at"),
    Index("ix_reviews_sku_created", "sku", "created_at"),
)

experiments = Table(
    "experiments",
    metadata,
    Column("experiment", String(128), primary_key=True),
    Column("variant", String(64), primary_key=True),
    Column("date", Date, primary_key=True),
    Column("visitors", BigInteger, nullable=False),
    Column("conversions", BigInteger, nullable=False),
    Column("revenue_cents", BigInteger),
)

# One row per finished import: what came in, and the newest business date it carried.
# "data as of …" footers and the stale-data guard read it.
imports = Table(
    "imports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),
    Column("source", String(255), nullable=False),
    Column("finished_at", DateTime, nullable=False),
    Column("rows_inserted", Integer, nullable=False),
    Column("rows_updated", Integer, nullable=False),
    Column("max_date", Date),
    Index("ix_imports_kind_finished", "kind", "finished_at"),
)

FACT_TABLES = (orders, daily_sales, split_orders, buyer_days, traffic, ad_spend, inventory, reviews, experiments,
               imports)

# Feature tables live in their own modules on the same metadata; importing them here makes
# `metadata` complete for migrations and tests whichever module is imported first.
from metrics import schema_budget, schema_jobs  # noqa: E402,F401
