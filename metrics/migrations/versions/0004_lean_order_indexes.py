"""orders: drop the ordered_at and (sku, order_date) indexes

Every metric query on orders filters by order_date first (hourly figures included), so these two
indexes only cost: each one slowed imports by about a fifth (bench/bench_import.py).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_orders_ordered_at", table_name="orders")
    op.drop_index("ix_orders_sku_date", table_name="orders")


def downgrade() -> None:
    op.create_index("ix_orders_sku_date", "orders", ["sku", "order_date"], unique=False)
    op.create_index("ix_orders_ordered_at", "orders", ["ordered_at"], unique=False)
