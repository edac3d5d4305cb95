"""Budget views (`handlers.views.budget`): the approval card, the clicker's note and the requester's DM,
`/budget` status and log, the two modals; on empty and oversized content, in both locales."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_sdk.models.views import View

from handlers.views import budget as view
from handlers.views import budget_log
from metrics.budget import CHANGED, Decision, Outcome, Request
from tests.blocks import assert_no_missing_figures, assert_valid_blocks, assert_valid_message, block_text
from tests.handlers.views.factories import (
    HUGE,
    HUGE_ZH,
    LOCALES,
    LONG_CHANNEL,
    approvals,
    budget_status,
    channel_budget,
    event,
    period,
    request,
    same,
)

TZ = ZoneInfo("Asia/Shanghai")


def _ctx(locale: str, name: str = "Douyin", **kw: Any) -> view.CardContext:
    return view.CardContext(channel_name=name, locale=locale, tz=TZ, roi_days=3, **kw)


# -- the approval card ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("status", ["pending", "released", "rejected", "expired"])
def test_card_without_roi_says_na(locale: str, status: str) -> None:
    req = request(status=status, approvals=approvals() if status == "released" else ())
    msg = view.card(req, _ctx(locale, roi_now_at=req.created_at))  # recomputed, still no ROI
    assert_valid_message(msg)
    fields = [f["text"] for f in msg.blocks[1]["fields"]]
    assert any("n/a" in f for f in fields[4:])  # ROI then, and ROI now
    assert any("¥50,000.00" in f for f in fields) and any("¥150,000.00" in f for f in fields)  # 200,000 − 50,000
    has_buttons = any(b["type"] == "actions" for b in msg.blocks)
    assert has_buttons == (status == "pending")


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("status", ["pending", "released", "rejected"])
def test_card_with_oversized_texts(locale: str, status: str) -> None:
    req = request(status=status, reason=HUGE_ZH, note=HUGE, alert_link="https://x.slack.com/archives/C1/p1?" + HUGE,
                  approvals=approvals(Decimal("2.5")) if status == "released" else (),
                  amount=Decimal("999999999999.99"), requester="U" + "X" * 300)
    msg = view.card(req, _ctx(locale, name=LONG_CHANNEL, pool_left=Decimal(0)))
    assert_valid_message(msg)
    assert "¥999,999,999,999.99" in msg.text


@pytest.mark.parametrize("locale", LOCALES)
def test_card_is_pure(locale: str) -> None:
    req = request(approvals=approvals()[:1])
    before = copy.deepcopy(req)
    first = view.card(req, _ctx(locale))
    assert same(req, before)
    assert view.card(req, _ctx(locale)) == first


# -- what the clicker and the requester are told -----------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("outcome", list(Outcome))
def test_note_and_dm_for_every_outcome(locale: str, outcome: Outcome) -> None:
    req: Request | None = None if outcome is Outcome.NOT_FOUND else request(status="released")
    decision = Decision(outcome, req, "finance")
    line = view.note(decision, channel_name=LONG_CHANNEL, locale=locale)
    assert line and "{" not in line
    assert_no_missing_figures(line)
    dm = view.dm(decision, channel_name=LONG_CHANNEL, locale=locale, user="U2", pool_left=Decimal(0))
    assert (dm is not None) == (req is not None and outcome in CHANGED)
    if dm is not None:
        assert "{" not in dm
        assert_no_missing_figures(dm)


def test_expired_decision() -> None:
    req = request(status="expired")
    assert view.expired_decision(req) == Decision(Outcome.EXPIRED, req)


# -- /budget ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_status_without_a_period(locale: str) -> None:
    msg = view.status_view(budget_status(None), names={}, locale=locale, roi_days=3)
    assert_valid_message(msg)
    assert len(msg.blocks) == 2


@pytest.mark.parametrize("locale", LOCALES)
def test_status_of_an_empty_period(locale: str) -> None:
    msg = view.status_view(budget_status(period(), (channel_budget("douyin", allocated=Decimal(0)),)), names={},
                           locale=locale, roi_days=3)
    assert_valid_message(msg)
    assert "¥0.00" in msg.text


@pytest.mark.parametrize("locale", LOCALES)
def test_status_of_a_paused_channel_without_roi(locale: str) -> None:
    st = budget_status(period(), (channel_budget("douyin", paused=True), channel_budget("pdd", below_floor=True)))
    msg = view.status_view(st, names={"douyin": "Douyin"}, locale=locale, roi_days=3)
    assert_valid_message(msg)
    assert block_text(msg.blocks).count("n/a") == 2  # paused at n/a, below the floor at n/a


@pytest.mark.parametrize("locale", LOCALES)
def test_status_of_hundreds_of_channels_and_pending_requests(locale: str) -> None:
    chans = tuple(channel_budget(f"c{i}", roi=Decimal(i), paused=i % 2 == 0) for i in range(300))
    pending = tuple(request(i, reason=HUGE_ZH) for i in range(300))
    st = budget_status(period(Decimal("1e12")), chans, pending)
    msg = view.status_view(st, names={f"c{i}": LONG_CHANNEL for i in range(300)}, locale=locale, roi_days=3)
    assert_valid_message(msg)
    # 300 pending × ¥50,000.00 = ¥15,000,000.00; in zh large amounts are written in 万
    assert ("¥15,000,000.00" if locale == "en" else "¥1500.0万") in block_text(msg.blocks)


@pytest.mark.parametrize("locale", LOCALES)
def test_status_is_pure(locale: str) -> None:
    st = budget_status(period(), (channel_budget("douyin", roi=Decimal(3)),), (request(),))
    names = {"douyin": "Douyin"}
    before, names_before = copy.deepcopy(st), dict(names)
    first = view.status_view(st, names=names, locale=locale, roi_days=3)
    assert same(st, before) and names == names_before
    assert view.status_view(st, names=names, locale=locale, roi_days=3) == first


# -- /budget log ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_log_without_events(locale: str) -> None:
    msg = budget_log.log_view([], total=0, month="2026-11", locale=locale, tz=TZ, names={})
    assert_valid_message(msg)
    assert len(msg.blocks) == 2


@pytest.mark.parametrize("locale", LOCALES)
def test_log_event_without_amount_or_pool(locale: str) -> None:
    line = budget_log.event_line(event(1, amount=None, channel=None, actor="system"), tz=TZ, locale=locale,
                                names={})
    # 02:00 UTC + 1 min, in +08:00; the system speaks as the bot
    assert line.startswith("`2026-11-24 10:01` *request* ecombot")
    assert_no_missing_figures(line)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("actor", ["U1", HUGE])
def test_log_of_300_oversized_events_says_how_many_are_shown(locale: str, actor: str) -> None:
    events = [event(i, actor=actor, channel=LONG_CHANNEL, detail=HUGE_ZH) for i in range(300)]
    msg = budget_log.log_view(events, total=300, month="2026-11", locale=locale, tz=TZ, names={})
    assert_valid_message(msg)
    more = msg.blocks[-1]["elements"][0]["text"]
    assert "40" in more and "300" in more  # the newest 40 (LOG_LINES) of 300
    if locale == "en":
        assert more.startswith("Newest 40 of 300 events shown")
    assert "14:59" in block_text(msg.blocks[-2:-1])  # the newest, event 299: 02:00 UTC + 299 min = 14:59 in +08:00


@pytest.mark.parametrize("locale", LOCALES)
def test_log_is_pure(locale: str) -> None:
    events = [event(i) for i in range(50)]
    before = copy.deepcopy(events)
    first = budget_log.log_view(events, total=50, month="2026-11", locale=locale, tz=TZ, names={})
    assert same(events, before)
    assert budget_log.log_view(events, total=50, month="2026-11", locale=locale, tz=TZ, names={}) == first


# -- modals ----------------------------------------------------------------------------------------------------


def _assert_valid_modal(modal: dict[str, Any]) -> None:
    View(**modal).validate_json()
    assert_valid_blocks(modal["blocks"], max_blocks=100)
    for part in ("title", "submit", "close"):
        assert 1 <= len(modal[part]["text"]) <= 24, part
    assert len(modal["private_metadata"]) <= 3000
    json.loads(modal["private_metadata"])
    for block in modal["blocks"]:
        if block["type"] == "input":
            assert len(block["label"]["text"]) <= 2000
            for option in block["element"].get("options", []):
                assert len(option["text"]["text"]) <= 75 and len(option["value"]) <= 150
            assert len(block["element"].get("options", [])) <= 100


@pytest.mark.parametrize("locale", LOCALES)
def test_request_modal_bare(locale: str) -> None:
    # the registry always has channels, so the select always has an option
    modal = view.request_modal(view.RequestForm(channels=[("douyin", "Douyin")], month="2026-11", pool_left=None),
                               locale)
    _assert_valid_modal(modal)
    assert "n/a" in block_text(modal["blocks"][:1])  # no period yet: the pool is unknown


@pytest.mark.parametrize("locale", LOCALES)
def test_request_modal_oversized(locale: str) -> None:
    chans = [(f"c{i}", LONG_CHANNEL) for i in range(300)]
    form = view.RequestForm(channels=chans, month="2026-11", pool_left=Decimal("1e12"), channel="c250",
                            amount=Decimal("5000"), reason=HUGE, alert_summary=HUGE_ZH,
                            metadata={"origin": "C1", "alert_ts": "1732431600.000100"})
    before = copy.deepcopy(form)
    modal = view.request_modal(form, locale)
    _assert_valid_modal(modal)
    assert same(form, before)
    assert view.request_modal(form, locale) == modal
    reason = next(b for b in modal["blocks"] if b.get("block_id") == "reason")
    assert len(reason["element"]["initial_value"]) == 1000


@pytest.mark.parametrize("locale", LOCALES)
def test_reject_modal(locale: str) -> None:
    meta = {"channel": "C1", "ts": "1.2"}
    modal = view.reject_modal(10**12, meta, locale)
    _assert_valid_modal(modal)
    assert meta == {"channel": "C1", "ts": "1.2"}
    assert json.loads(modal["private_metadata"]) == {"channel": "C1", "ts": "1.2", "request_id": 10**12}
