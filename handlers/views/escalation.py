"""Negative-review escalations (SPEC §7): the Level Ⅰ/Ⅱ card, the Level Ⅲ digest, thread notes. Pure.

    msg = incident_message(key="sentiment:sku:SKU1", incident=inc, subject="Face cream (SKU1)",
                           mention="<!subteam^S1>", deadlines=d, channels="Douyin, Tmall", locale="en")

Each incident owns an `alert:<key>` block (what is wrong, re-rendered when more reviews arrive) and an
`act:<key>` block (Acknowledge / Resolve / Snooze, replaced by who did what), like every alert message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from handlers.views import fmt
from handlers.views.alerts import ACK, SNOOZE, actions_for, resolve_button
from handlers.views.blocks import Block, button, context_block, header_block, section_block
from handlers.views.limits import MAX_BLOCKS
from handlers.views.message import Message
from handlers.views.mrkdwn import Mrkdwn, escape
from handlers.views.texts import t
from metrics.escalation import Incident, Limits
from metrics.sentiment_topics import TopicSet, default_topics

RCA = "alert_rca_filed"
SAMPLE_CHARS = 160


@dataclass(frozen=True)
class Deadlines:
    """Local times, already formatted: acknowledge (1 h), first response (4 h), solution (24 h)."""

    ack_by: str
    respond_by: str
    solve_by: str


# Topic names and pre-approved responses are data (metrics/sentiment_topics.toml or
# SENTIMENT_TOPICS_FILE); callers pass the deployment's set, the shipped one otherwise.
def topic_of(incident: Incident, topics: TopicSet | None = None) -> str:
    return (topics or default_topics()).get(incident.topic).name


def topic_name(incident: Incident, locale: str, topics: TopicSet | None = None) -> str:
    return (topics or default_topics()).label(incident.topic, locale)


def subject(incident: Incident, name: str | None, locale: str, topics: TopicSet | None = None) -> str:
    if incident.sku is None:
        return t("esc.subject.social", locale, topic=topic_name(incident, locale, topics))
    return t("esc.subject.sku", locale, name=name or incident.sku, sku=incident.sku)


def _reach(incident: Incident, locale: str) -> str:
    return t("esc.reach", locale, followers=fmt.integer(incident.max_followers)) if incident.max_followers else ""


def _quote(text: str) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= SAMPLE_CHARS else one_line[: SAMPLE_CHARS - 1] + "…"


def why(incident: Incident, limits: Limits, locale: str) -> str:
    """The rule that set the level, so nobody has to guess why the crisis group was paged."""
    level = t(f"esc.level.{incident.level}", locale)
    if incident.level == 1 and incident.safety:
        return t("esc.why.safety", locale)
    if incident.level == 3:
        return t("esc.why.rest", locale)
    count_limit = limits.l1_count if incident.level == 1 else limits.l2_count
    if incident.count >= count_limit:
        return t("esc.why.count", locale, level=level, count=incident.count, limit=count_limit)
    follower_limit = limits.l1_followers if incident.level == 1 else limits.l2_followers
    return t("esc.why.followers", locale, level=level, followers=fmt.integer(incident.max_followers),
             limit=fmt.integer(follower_limit))


def body_block(key: str, incident: Incident, *, channels: str, limits: Limits, locale: str,
               topics: TopicSet | None = None) -> Block:
    lines = [t("esc.body", locale, count=incident.count, channels=channels, topic=topic_name(incident, locale, topics),
               reach=_reach(incident, locale)),
             why(incident, limits, locale)]
    if incident.samples:
        quoted = Mrkdwn("\n".join(f">{escape(_quote(s))}" for s in incident.samples))
        lines.append(t("esc.samples", locale, lines=quoted))
    return section_block("\n".join(lines), f"alert:{key}")


def buttons(key: str, locale: str, level: int = 3) -> Block:
    return actions_for(key, [button(ACK, t("alert.btn.ack", locale), key, "primary"),
                          resolve_button(key, locale, level=level),
                          button(SNOOZE, t("alert.btn.snooze", locale), key)])


def incident_message(
    *,
    key: str,
    incident: Incident,
    subject_text: str,
    mention: str,
    deadlines: Deadlines,
    channels: str,
    limits: Limits,
    locale: str,
    footer: str | None = None,
    topics: TopicSet | None = None,
) -> Message:
    """The Level Ⅰ (crisis channel, group mentioned) or Level Ⅱ (ops channel) card."""
    level = incident.level
    call = (t("esc.call", locale, mention=mention, ack_by=deadlines.ack_by, respond_by=deadlines.respond_by,
              solve_by=deadlines.solve_by) if level == 1 else
            t("esc.call.2", locale, respond_by=deadlines.respond_by, solve_by=deadlines.solve_by))
    reply = (topics or default_topics()).reply(incident.topic, locale)
    blocks = [
        header_block(t(f"esc.title.{min(level, 2)}", locale, subject=subject_text)),
        body_block(key, incident, channels=channels, limits=limits, locale=locale, topics=topics),
        section_block(call),
        section_block(t("esc.template", locale, topic=topic_name(incident, locale, topics), reply=reply)),
        buttons(key, locale, level),
    ]
    if footer:
        blocks.append(context_block(footer))
    # the mention goes in the fallback text too: that is what the notification shows
    text = t("esc.text", locale, level=t(f"esc.level.{level}", locale), subject=subject_text, count=incident.count)
    return Message(f"{mention} {text}".strip() if level == 1 else text, blocks)


def digest_message(items: Sequence[tuple[str, Incident, str]], *, locale: str,
                   footer: str | None = None, topics: TopicSet | None = None) -> Message:
    """Level Ⅲ: one message per scan for customer service; (key, incident, subject) each with buttons."""
    head = [header_block(t("esc.digest.title", locale, n=len(items))), context_block(t("esc.digest.reply", locale))]
    tail = [context_block(footer)] if footer else []
    rows: list[Block] = []
    room = MAX_BLOCKS - len(head) - len(tail) - 1
    shown = 0
    for key, incident, subject_text in items:
        if len(rows) + 2 > room:
            break
        sample = _quote(incident.samples[0]) if incident.samples else ""
        rows.append(section_block(t("esc.digest.line", locale, subject=subject_text, count=incident.count,
                               topic=topic_name(incident, locale, topics), sample=sample), f"alert:{key}"))
        rows.append(actions_for(key, [button(ACK, t("alert.btn.ack", locale), key, "primary"),
                                   resolve_button(key, locale)]))
        shown += 1
    if shown < len(items):
        rows.append(section_block(", ".join(s for _, _, s in items[shown:])))
    return Message(t("esc.digest.text", locale, n=len(items)), head + rows + tail)


def repeat_message(key: str, text: str, locale: str, level: int = 3) -> Message:
    """In the thread, after a snooze ran out: the incident's buttons again."""
    return Message(text, [section_block(text), buttons(key, locale, level)])


def grew_note(incident: Incident, new: int, locale: str) -> str:
    sample = _quote(incident.samples[0]) if incident.samples else ""
    return t("esc.grew", locale, new=new, count=incident.count, reach=_reach(incident, locale), sample=sample)


def rca_message(key: str, text: str, locale: str) -> Message:
    """A thread note about the root-cause report, with the button that records it as filed."""
    return Message(text, [section_block(text), actions_for(key, [button(RCA, t("esc.btn.rca", locale), key)])])


def replace_block(blocks: Sequence[Block], block: Block) -> list[Block]:
    """A copy of `blocks` with the block of the same block_id swapped for `block`."""
    return [block if b.get("block_id") == block.get("block_id") else b for b in blocks]
