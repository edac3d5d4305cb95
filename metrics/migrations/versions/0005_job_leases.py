"""job_runs: leases (heartbeat_at, attempt), posts begun (posted), error ids

A job killed mid-run left its claim `running` forever and its firing was never run again. With a
heartbeat a dead run can be told from a slow one; with the count of posts begun, a dead run that
posted nothing can be re-run without posting twice.

Rows from before this revision get their start as last heartbeat (so a `running` one of them counts
as dead) and an unknown post count (NULL), so they are failed rather than re-run: nobody can tell
whether they posted.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# MySQL's DATETIME drops fractions of a second: a heartbeat's age would be off by up to a second
_PRECISE_TIME = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def upgrade() -> None:
    op.add_column("job_runs", sa.Column("heartbeat_at", _PRECISE_TIME, nullable=True))
    op.add_column("job_runs", sa.Column("posted", sa.Integer(), nullable=True))
    op.add_column("job_runs", sa.Column("attempt", sa.Integer(), nullable=False, server_default=sa.text("1")))
    op.add_column("job_runs", sa.Column("error_id", sa.String(length=16), nullable=True))
    op.execute("UPDATE job_runs SET heartbeat_at = started_at")


def downgrade() -> None:
    # SQLite drops columns only by rebuilding the table: batch mode does that where it must
    with op.batch_alter_table("job_runs") as batch:
        batch.drop_column("error_id")
        batch.drop_column("attempt")
        batch.drop_column("posted")
        batch.drop_column("heartbeat_at")
