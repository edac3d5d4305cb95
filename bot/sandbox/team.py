"""The demo team of the sandbox: the channels the bot posts to and four people to try it as.

    ws = demo_workspace()
    settings = load_settings(**demo_settings())     # channel ids and approvers from this team
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.sandbox.state import BOT_NAME, BOT_USER_ID, Channel, User, Workspace

SLACKBOT_ID = "USLACKBOT"

REPORTS = "C0REPORTS"
OPS = "C0OPS"
SUPPLY = "C0SUPPLY"
CRISIS = "C0CRISIS"
CS = "C0CS"
APPROVALS = "C0APPROVALS"
GENERAL = "C0GENERAL"

REQUESTER = "U0MEI"
FINANCE_HEAD = "U0FANG"
OPS_HEAD = "U0OLIVER"
OUTSIDER = "U0SAM"

CRISIS_GROUP = "S0CRISIS"


@dataclass(frozen=True)
class Role:
    user_id: str
    title: str  # what the user switcher says about them


ROLES = (
    Role(REQUESTER, "Marketing · asks for budget"),
    Role(FINANCE_HEAD, "Head of finance · finance approver"),
    Role(OPS_HEAD, "Head of operations · operations approver"),
    Role(OUTSIDER, "Guest · no approval rights"),
)

USERGROUPS = {CRISIS_GROUP: "crisis-team"}


def demo_channels() -> list[Channel]:
    return [
        Channel(REPORTS, "ecom-reports"),
        Channel(OPS, "ecom-ops"),
        Channel(SUPPLY, "supply-chain"),
        Channel(CRISIS, "crisis"),
        Channel(CS, "customer-service"),
        Channel(APPROVALS, "budget-approvals"),
        Channel(GENERAL, "general", is_member=False),
    ]


def demo_users() -> list[User]:
    return [
        User(REQUESTER, "mei", "Mei Lin"),
        User(FINANCE_HEAD, "fang", "Fang Zhou"),
        User(OPS_HEAD, "oliver", "Oliver Wu"),
        User(OUTSIDER, "sam", "Sam Guest", tz="Europe/London", tz_offset=0),
        User(BOT_USER_ID, BOT_NAME, "ecombot", is_bot=True),
        User(SLACKBOT_ID, "slackbot", "Slackbot", is_bot=True),
    ]


def demo_workspace() -> Workspace:
    """The demo team; each person already has a DM with the bot (the bot writes there on decisions)."""
    ws = Workspace(channels=demo_channels(), users=demo_users())
    for role in ROLES:
        ws.open_dm(role.user_id)
    return ws


def demo_settings() -> dict[str, str]:
    """Settings that point the bot at this team (override whatever `.env` says)."""
    return {
        "reports_channel": REPORTS,
        "ops_channel": OPS,
        "supply_channel": SUPPLY,
        "crisis_channel": CRISIS,
        "cs_channel": CS,
        "approvals_channel": APPROVALS,
        "finance_approvers": FINANCE_HEAD,
        "ops_approvers": OPS_HEAD,
        "crisis_group": CRISIS_GROUP,
    }
