"""Who is who: the people behind FINANCE_APPROVERS, OPS_APPROVERS and CRISIS_GROUP, read one way everywhere.

    roles_of(settings, client, "U0FANG")          # frozenset({"finance"})
    may_request(settings, client, "U0MEI")        # True when BUDGET_REQUESTERS is empty or lists her
    is_listed(client, "U0OLI", settings.ops_approvers)
    mentions(settings.ops_approvers)              # "<@U0OLI> <!subteam^S0OPS>"
    may_respond(settings, client, "U0SAM", "stock")   # who may press an alert's buttons

An entry is a user id (U…/W…) or a user group id (S…); a group is expanded with
`usergroups.users.list`, cached for a minute, and mentioned as `<!subteam^S…>`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.views.mrkdwn import Mrkdwn, escape
from metrics.budget import FINANCE, OPS
from metrics.settings import Settings

log = logging.getLogger(__name__)

_GROUP_TTL = 60.0
_groups: dict[str, tuple[float, frozenset[str]]] = {}
_groups_lock = threading.Lock()


def is_group(entry: str) -> bool:
    return entry.startswith("S")


def group_members(client: WebClient, group: str) -> frozenset[str]:
    """Members of a user group (S…), cached for a minute; nobody when Slack cannot say."""
    now = time.monotonic()
    with _groups_lock:
        hit = _groups.get(group)
        if hit is not None and now - hit[0] < _GROUP_TTL:
            return hit[1]
    try:
        users = frozenset(client.usergroups_users_list(usergroup=group).get("users") or [])
    except SlackApiError as exc:
        log.warning("cannot list user group %s: %s", group, exc.response.get("error") if exc.response else exc)
        users = frozenset()
    with _groups_lock:
        _groups[group] = (now, users)
    return users


def is_listed(client: WebClient, user: str, entries: Iterable[str]) -> bool:
    """`user` is one of `entries`, by id or as a member of a listed group."""
    listed = tuple(entries)
    if user in listed:
        return True
    return any(is_group(e) and user in group_members(client, e) for e in listed)


def may_request(settings: Settings, client: WebClient, user: str) -> bool:
    """Whether `user` may ask for contingency budget: anyone, unless BUDGET_REQUESTERS names who."""
    return not settings.budget_requesters or is_listed(client, user, settings.budget_requesters)


def roles_of(settings: Settings, client: WebClient, user: str) -> frozenset[str]:
    """The approver roles of `user`: finance and/or operations."""
    roles = set()
    for role, entries in ((FINANCE, settings.finance_approvers), (OPS, settings.ops_approvers)):
        if is_listed(client, user, entries):
            roles.add(role)
    return frozenset(roles)


# an alert's kind (metrics.alerts) → the responders' kind in ALERT_RESPONDERS
_RESPONDER_KIND = {"stock": "stock", "sentiment": "incident", "roi": "roi", "campaign": "campaign", "stale": "stale"}


def responder_kind(alert_kind: str) -> str:
    return _RESPONDER_KIND.get(alert_kind, alert_kind)


def responders(settings: Settings, alert_kind: str) -> tuple[str, ...]:
    """Who may press the buttons of an alert of `alert_kind`: ALERT_RESPONDERS for it, else the approvers
    (finance and operations) and, for review incidents, the members of CRISIS_GROUP."""
    kind = responder_kind(alert_kind)
    if kind in settings.alert_responders:
        return settings.alert_responders[kind]
    group = (settings.crisis_group,) if kind == "incident" and settings.crisis_group else ()
    return tuple(dict.fromkeys((*settings.finance_approvers, *settings.ops_approvers, *group)))


def may_respond(settings: Settings, client: WebClient, user: str, alert_kind: str) -> bool:
    """The one rule for alert buttons (Acknowledge, Snooze, Resolve, Keep paused, root-cause filed)."""
    return is_listed(client, user, responders(settings, alert_kind))


def mention(entry: str) -> Mrkdwn:
    """A mention that pings: `<!subteam^S…>` for a group, `<@U…>` for a person."""
    return Mrkdwn(f"<!subteam^{escape(entry)}>") if is_group(entry) else Mrkdwn(f"<@{escape(entry)}>")


def mentions(entries: Iterable[str]) -> Mrkdwn:
    return Mrkdwn(" ".join(mention(e) for e in entries))
