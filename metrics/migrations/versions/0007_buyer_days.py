"""buyer_days, split_orders and daily_sales.orders: distinct buyers and orders without a hash of every id

/gmv and /funnel counted distinct buyers and orders on `orders` for each window: at 1M order
lines, hashing ~260k customer ids took over a second. Orders now add up from the daily rollup
(`daily_sales.orders`) less the few orders with live lines on several days (`split_orders`), and
buyers are counted on `buyer_days`, one row per customer, channel and day with the customer's
previous day: a buyer of a window is the row whose previous day is before the window. All three
are kept by the import with the rollup, in its transaction; this migration fills them once.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_LIVE = "status <> 'cancelled'"


def upgrade() -> None:
    op.add_column("daily_sales", sa.Column("orders", sa.BigInteger(), server_default="0", nullable=False))
    op.create_table(
        "split_orders",
        sa.Column("channel", sa.String(length=32), primary_key=True),
        sa.Column("order_id", sa.String(length=64), primary_key=True),
    )
    op.create_table(
        "buyer_days",
        sa.Column("customer_id", sa.String(length=64), primary_key=True),
        sa.Column("channel", sa.String(length=32), primary_key=True),
        sa.Column("order_date", sa.Date(), primary_key=True),
        # the customer's previous day on this channel, and on any channel (None: the first)
        *(sa.Column(name, sa.Date(), nullable=True) for name in ("buyer_prev", "person_prev")),
    )
    # the same statements as metrics/rollup.py and metrics/buyer_days.py, frozen here as they are today
    op.execute(
        "UPDATE daily_sales SET orders = (SELECT COUNT(DISTINCT o.order_id) FROM orders o "
        f"WHERE o.channel = daily_sales.channel AND o.order_date = daily_sales.date AND o.{_LIVE})"
    )
    op.execute(
        "INSERT INTO split_orders (channel, order_id) SELECT channel, order_id FROM orders "
        f"WHERE {_LIVE} GROUP BY channel, order_id HAVING MIN(order_date) < MAX(order_date)"
    )
    op.execute(
        "INSERT INTO buyer_days (customer_id, channel, order_date, buyer_prev, person_prev) "
        "SELECT customer_id, channel, order_date, "
        "LAG(order_date) OVER (PARTITION BY channel, customer_id ORDER BY order_date), "
        "LAG(order_date) OVER (PARTITION BY customer_id ORDER BY order_date, channel) "
        f"FROM orders WHERE {_LIVE} GROUP BY customer_id, channel, order_date"
    )
    # after the fill: one index build is cheaper than maintaining it row by row
    op.create_index("ix_buyer_days_date", "buyer_days", ["order_date", "channel", "buyer_prev", "person_prev"],
                    unique=False)


def downgrade() -> None:
    op.drop_index("ix_buyer_days_date", table_name="buyer_days")
    op.drop_table("buyer_days")
    op.drop_table("split_orders")
    op.drop_column("daily_sales", "orders")
