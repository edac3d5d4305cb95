"""budget: periods, allocations, contingency requests, approvals, ledger

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_APPEND_ONLY = "budget_events is append-only"


def upgrade() -> None:
    op.create_table(
        "budget_periods",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("total_cents", sa.BigInteger(), nullable=False),
        sa.Column("pool_cents", sa.BigInteger(), nullable=False),
        sa.Column("pool_left_cents", sa.BigInteger(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("pool_left_cents >= 0", name="ck_budget_periods_pool_left"),
        sa.CheckConstraint("pool_left_cents <= pool_cents", name="ck_budget_periods_pool_within"),
        sa.PrimaryKeyConstraint("month", name=op.f("pk_budget_periods")),
    )
    op.create_table(
        "budget_allocations",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("allocated_cents", sa.BigInteger(), nullable=False),
        sa.Column("released_cents", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["month"], ["budget_periods.month"],
                                name="fk_budget_allocations_month_budget_periods"),
        sa.PrimaryKeyConstraint("month", "channel", name=op.f("pk_budget_allocations")),
    )
    op.create_table(
        "budget_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requester", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("reject_reason", sa.Text(), nullable=True),
        sa.Column("pool_before_cents", sa.BigInteger(), nullable=False),
        sa.Column("roi_bp", sa.BigInteger(), nullable=True),
        sa.Column("client_key", sa.String(length=191), nullable=True),
        sa.Column("card_channel", sa.String(length=32), nullable=True),
        sa.Column("card_ts", sa.String(length=32), nullable=True),
        sa.Column("origin_channel", sa.String(length=32), nullable=True),
        sa.Column("alert_channel", sa.String(length=32), nullable=True),
        sa.Column("alert_ts", sa.String(length=32), nullable=True),
        sa.Column("alert_link", sa.String(length=500), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint("amount_cents > 0", name="ck_budget_requests_amount"),
        sa.ForeignKeyConstraint(["month"], ["budget_periods.month"], name="fk_budget_requests_month_budget_periods"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_requests")),
        sa.UniqueConstraint("client_key", name=op.f("uq_budget_requests_client_key")),
    )
    op.create_index("ix_budget_requests_status_expires", "budget_requests", ["status", "expires_at"], unique=False)
    op.create_index("ix_budget_requests_month", "budget_requests", ["month"], unique=False)
    op.create_table(
        "budget_approvals",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("approved_at", sa.DateTime(), nullable=False),
        sa.Column("roi_bp", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["request_id"], ["budget_requests.id"],
                                name="fk_budget_approvals_request_id_budget_requests"),
        sa.PrimaryKeyConstraint("request_id", "role", name=op.f("pk_budget_approvals")),
        sa.UniqueConstraint("request_id", "user_id", name=op.f("uq_budget_approvals_request_id_user_id")),
    )
    op.create_table(
        "budget_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("amount_cents", sa.BigInteger(), nullable=True),
        sa.Column("pool_before_cents", sa.BigInteger(), nullable=True),
        sa.Column("pool_after_cents", sa.BigInteger(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_budget_events")),
    )
    op.create_index("ix_budget_events_month_id", "budget_events", ["month", "id"], unique=False)
    _append_only_trigger()


def _append_only_trigger() -> None:
    """The audit log refuses UPDATE on every backend (DELETE stays possible for retention and tests)."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(
            "CREATE TRIGGER budget_events_no_update BEFORE UPDATE ON budget_events "
            f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END"
        )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION budget_events_no_update() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{_APPEND_ONLY}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER budget_events_no_update BEFORE UPDATE ON budget_events "
            "FOR EACH ROW EXECUTE FUNCTION budget_events_no_update()"
        )
    elif dialect in ("mysql", "mariadb"):
        op.execute(
            "CREATE TRIGGER budget_events_no_update BEFORE UPDATE ON budget_events FOR EACH ROW "
            f"SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{_APPEND_ONLY}'"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.execute("DROP TRIGGER IF EXISTS budget_events_no_update" + (" ON budget_events" if dialect == "postgresql"
                                                                    else ""))
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS budget_events_no_update()")
    op.drop_index("ix_budget_events_month_id", table_name="budget_events")
    op.drop_table("budget_events")
    op.drop_table("budget_approvals")
    op.drop_index("ix_budget_requests_month", table_name="budget_requests")
    op.drop_index("ix_budget_requests_status_expires", table_name="budget_requests")
    op.drop_table("budget_requests")
    op.drop_table("budget_allocations")
    op.drop_table("budget_periods")
