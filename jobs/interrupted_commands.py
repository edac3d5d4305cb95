"""interrupted-commands: a slash command whose answering process died is told, not lost.

A command is claimed before it is answered and closed when the answer is out (the command kit).
One still open two minutes later lost its process between the figures and the chart, say: its
asker gets an ephemeral line through the command's response_url (good for 30 minutes) asking to
type it again. The close is a conditional update, so one replica tells each.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from handlers.views.texts import t
from jobs.kit.context import JobContext, Outcome
from metrics import command_claims

log = logging.getLogger(__name__)


def run(ctx: JobContext) -> Outcome:
    told = 0
    lost = command_claims.interrupted(ctx.deps.engine, now_utc=ctx.now_utc)
    for claim in lost:
        if not command_claims.close_lost(ctx.deps.engine, claim.key, now_utc=ctx.now_utc):
            continue  # another replica has it
        log.warning("command %r (%s) was claimed at %s and never finished: its process died",
                    claim.command, claim.key, claim.claimed_at)
        if not claim.response_url:
            continue
        text = t("cmd.interrupted", ctx.locale, command=claim.command or "")
        try:
            WebhookClient(claim.response_url, timeout=10).send(text=text, response_type="ephemeral")
            told += 1
        except (SlackApiError, OSError) as exc:
            log.warning("could not tell the asker of %s: %s", claim.key, exc)
    if not lost:
        return Outcome.empty("no interrupted command")
    return Outcome("ok", f"{len(lost)} interrupted command(s), {told} asker(s) told", told)
