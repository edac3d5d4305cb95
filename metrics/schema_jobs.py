"""Tables of the jobs feature, on the shared metadata (see metrics/schema.py).

- `job_runs`: one row per firing a replica claimed (unique on job + scheduled time, so a second
  replica's insert fails and it stands aside), and the run log: start, end, outcome, error.
  Manual runs (`ecombot jobs run`) have no scheduled time; NULLs never collide in a unique key.
  A running row is leased: its process refreshes `heartbeat_at`, and counts in `posted` every
  Slack post *before* making it, so a run whose heartbeat stopped can be re-run safely (nothing
  posted) or failed (something may have reached Slack). `attempt` fences the owner: a takeover
  bumps it, and the dead owner's late writes (heartbeat, posts, finish) then match no row.
- `job_state`: pause/resume per job, shared by every replica.
- `alert_state`: one row per alert key (a SKU's stock, a channel's ROI floor, …): open,
  acknowledged, snoozed until, resolved; where its original message is.
- `command_claims`: one row per slash command answered (its trigger id), so each is answered once.
- `alert_messages`: the body of each alert message as posted, so a job or a button click can edit
  it in place (the bot has no history scope to read it back from Slack).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Index, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.dialects import mysql

from metrics.schema import metadata

# a grouped alert message can hold 50 blocks of up to 3,000 characters: more than MySQL's TEXT
LONG_TEXT = Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")
# MySQL's DATETIME drops fractions of a second: a heartbeat's age would be off by up to a second
PRECISE_TIME = DateTime().with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")

job_runs = Table(
    "job_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("job", String(64), nullable=False),
    Column("scheduled_for", DateTime),  # naive UTC; NULL for manual runs
    Column("trigger", String(16), nullable=False),  # schedule, catch-up, manual
    Column("host", String(128), nullable=False),
    Column("status", String(16), nullable=False),  # running, ok, empty, skipped, failed
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("detail", String(500)),
    Column("error", Text),
    Column("heartbeat_at", PRECISE_TIME),  # naive UTC; the owner refreshes it while the job runs
    Column("posted", Integer),  # Slack posts begun so far; NULL: unknown (a run from before leases)
    Column("attempt", Integer, nullable=False, server_default="1"),  # bumped by each takeover of a dead run
    Column("error_id", String(16)),  # the id a failure notice in Slack shows; details are in `error` and the log
    UniqueConstraint("job", "scheduled_for"),
    Index("ix_job_runs_job_started", "job", "started_at"),
    Index("ix_job_runs_started", "started_at"),
)

job_state = Table(
    "job_state",
    metadata,
    Column("job", String(64), primary_key=True),
    Column("paused", Boolean, nullable=False),
    Column("changed_by", String(64)),
    Column("changed_at", DateTime),
)

alert_state = Table(
    "alert_state",
    metadata,
    # 191 characters keep the key indexable under utf8mb4 on every MySQL/MariaDB
    Column("key", String(191), primary_key=True),
    Column("kind", String(32), nullable=False),  # stock, roi, campaign, stale
    Column("status", String(16), nullable=False),  # open, acknowledged, snoozed, resolved
    Column("severity", String(16), nullable=False),
    Column("snoozed_until", DateTime),  # naive UTC
    Column("channel", String(32)),  # Slack channel id of the original message
    Column("ts", String(32)),  # its ts
    Column("detail", Text),  # JSON: the figures the alert was raised with
    Column("opened_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("acted_by", String(64)),
    Column("acted_at", DateTime),
    Index("ix_alert_state_kind_status", "kind", "status"),
)

alert_messages = Table(
    "alert_messages",
    metadata,
    Column("channel", String(32), primary_key=True),
    Column("ts", String(32), primary_key=True),
    Column("text", Text, nullable=False),
    Column("blocks", LONG_TEXT, nullable=False),  # JSON list
    Column("updated_at", DateTime, nullable=False),
)

__all__ = ["alert_messages", "alert_state", "job_runs", "job_state", "metadata"]

# Slash commands answered: the first replica to insert a command's trigger id answers it; a Slack
# retry (X-Slack-Retry-Num) or a replayed request of the same command finds the row and stays quiet.
command_claims = Table(
    "command_claims",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("claimed_at", DateTime, nullable=False),
    # what a sweep needs to tell the user when the answering process died before it finished
    Column("command", String(255), nullable=True),
    Column("user_id", String(32), nullable=True),
    Column("response_url", String(512), nullable=True),
    Column("done_at", DateTime, nullable=True),
)
