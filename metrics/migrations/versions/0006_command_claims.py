"""command_claims: each slash command answered once

A command that Slack retried (X-Slack-Retry-Num) or that was replayed within the signature window
ran again: four posts and four charts for one command. The answer now first inserts the command's
trigger id; only the insert that succeeds answers. The row is closed when the answer is out; one
left open by a process that died is found by the `interrupted-commands` job, which tells the user.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "command_claims",
        sa.Column("key", sa.String(length=64), primary_key=True),
        sa.Column("claimed_at", sa.DateTime(), nullable=False),
        sa.Column("command", sa.String(length=255), nullable=True),
        sa.Column("user_id", sa.String(length=32), nullable=True),
        sa.Column("response_url", sa.String(length=512), nullable=True),
        sa.Column("done_at", sa.DateTime(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("command_claims")
