"""Approvers read one way: ids and user groups, expanded through the (fake) Web API, mentioned correctly."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from bot.config import load_settings
from bot.sandbox import FakeSlack, Workspace
from handlers import approvers


@pytest.fixture
def client() -> Iterator[WebClient]:
    ws = Workspace(usergroups={"S0FIN": ["U0FANG", "U0MEI"], "S0EMPTY": []})
    with FakeSlack(workspace=ws, socket_mode=False) as fake:
        yield WebClient(token="xoxb-test", base_url=fake.api_url)


def test_mentions_ping_people_and_groups_each_their_own_way() -> None:
    assert approvers.mention("U0OLI") == "<@U0OLI>"
    assert approvers.mention("S0OPS") == "<!subteam^S0OPS>"
    assert approvers.mentions(["U0OLI", "S0OPS"]) == "<@U0OLI> <!subteam^S0OPS>"
    assert approvers.mentions([]) == ""


def test_listed_by_id_or_through_a_group(client: WebClient) -> None:
    assert approvers.is_listed(client, "U0OLI", ["U0OLI"])
    assert approvers.is_listed(client, "U0MEI", ["U0OLI", "S0FIN"])
    assert not approvers.is_listed(client, "U0SAM", ["U0OLI", "S0FIN", "S0EMPTY"])
    # a group Slack does not know lists nobody (and the click is refused), never everybody
    assert not approvers.is_listed(client, "U0SAM", ["S0GONE"])


def test_roles_come_from_both_lists(client: WebClient) -> None:
    settings = load_settings(_env_file=None, finance_approvers="S0FIN", ops_approvers="U0OLI,U0FANG")
    assert approvers.roles_of(settings, client, "U0FANG") == {"finance", "ops"}
    assert approvers.roles_of(settings, client, "U0MEI") == {"finance"}
    assert approvers.roles_of(settings, client, "U0OLI") == {"ops"}
    assert approvers.roles_of(settings, client, "U0SAM") == frozenset()
