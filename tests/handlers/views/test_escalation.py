"""Negative-review escalation views (`handlers.views.escalation`): the Level Ⅰ/Ⅱ card, the Level Ⅲ digest and
the thread notes, on empty and oversized content, in both locales."""

from __future__ import annotations

import copy

import pytest

from handlers.views import escalation as view
from handlers.views.message import Message
from metrics.escalation import Incident, Limits
from tests.blocks import assert_valid_blocks, assert_valid_message, block_text
from tests.handlers.views.factories import HUGE, HUGE_ZH, LOCALES, LONG_CHANNEL, REVIEW, incident, same

DEADLINES = view.Deadlines(ack_by="11:02", respond_by="14:02", solve_by="11-25 10:02")


def _card(inc: Incident, locale: str, *, subject: str = "Face cream (SKU1)", channels: str = "Douyin",
          footer: str | None = None) -> Message:
    return view.incident_message(key=f"sentiment:{inc.key}", incident=inc, subject_text=subject,
                                 mention="<!subteam^S1>", deadlines=DEADLINES, channels=channels, limits=Limits(),
                                 locale=locale, footer=footer)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("level", [1, 2])
def test_card_without_samples_topic_or_reach(locale: str, level: int) -> None:
    inc = incident(level=level, count=0, topic=None)
    msg = _card(inc, locale, subject=view.subject(inc, None, locale))
    assert_valid_message(msg)
    assert msg.text.startswith("<!subteam^S1> ") == (level == 1)  # only Level Ⅰ pages the group
    assert msg.blocks[0]["text"]["text"].count("SKU1") == 2  # no product name: the SKU stands in for it


@pytest.mark.parametrize("locale", LOCALES)
def test_social_incident_without_sku(locale: str) -> None:
    inc = incident(None, topic="logistics", followers=250_000, level=1)
    msg = _card(inc, locale, subject=view.subject(inc, None, locale))
    assert_valid_message(msg)
    assert "250,000" in block_text(msg.blocks)  # the loudest author and the rule that set Level Ⅰ


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("level", [1, 2])
def test_card_with_hundreds_of_huge_reviews(locale: str, level: int) -> None:
    inc = incident(level=level, count=100_000, samples=tuple(REVIEW for _ in range(300)), followers=10**9,
                   safety=level == 1)
    msg = _card(inc, locale, subject=HUGE_ZH if locale == "zh" else HUGE, channels=", ".join([LONG_CHANNEL] * 30),
                footer=HUGE)
    assert_valid_message(msg)


@pytest.mark.parametrize("locale", LOCALES)
def test_card_is_pure(locale: str) -> None:
    inc = incident(samples=("太油了", "not as described " * 30))
    before = copy.deepcopy(inc)
    first = _card(inc, locale)
    assert same(inc, before)
    assert _card(inc, locale) == first


@pytest.mark.parametrize("locale", LOCALES)
def test_digest_without_incidents(locale: str) -> None:
    msg = view.digest_message([], locale=locale)
    assert_valid_message(msg)
    if locale == "en":
        assert msg.text == "Customer-service digest: 0 minor negative-review incident(s)"


@pytest.mark.parametrize("locale", LOCALES)
def test_digest_of_an_incident_without_samples(locale: str) -> None:
    msg = view.digest_message([("sentiment:sku:SKU1", incident(level=3), "Face cream (SKU1)")], locale=locale)
    assert_valid_message(msg)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(("footer", "shown"), [(None, 23), (HUGE, 23)])
def test_digest_of_300_incidents_stays_in_50_blocks(locale: str, footer: str | None, shown: int) -> None:
    # header + reply hint (+ footer) + one block for the rest leave 47 (46) blocks: 23 incidents of 2 blocks each
    items = [(f"sentiment:sku:SKU{i}", incident(f"SKU{i}", level=3, samples=(REVIEW,)), f"{HUGE_ZH[:40]} (SKU{i})")
             for i in range(300)]
    msg = view.digest_message(items, locale=locale, footer=footer)
    assert_valid_message(msg)
    assert sum(1 for b in msg.blocks if b.get("block_id", "").startswith("alert:")) == shown
    rest = msg.blocks[-2 if footer else -1]["text"]["text"]
    assert rest.startswith(items[shown][2])  # the ones left out are named, from the first of them
    assert "300" in msg.text


@pytest.mark.parametrize("locale", LOCALES)
def test_digest_is_pure(locale: str) -> None:
    items = [(f"sentiment:sku:SKU{i}", incident(f"SKU{i}", level=3, samples=("差",)), f"SKU{i}") for i in range(30)]
    before = copy.deepcopy(items)
    first = view.digest_message(items, locale=locale)
    assert same(items, before)
    assert view.digest_message(items, locale=locale) == first


@pytest.mark.parametrize("locale", LOCALES)
def test_thread_notes_on_huge_text(locale: str) -> None:
    inc = incident(samples=(REVIEW,), followers=12_000)
    assert_valid_message(view.repeat_message("sentiment:sku:SKU1", REVIEW, locale))
    assert_valid_message(view.rca_message("sentiment:sku:SKU1", REVIEW, locale))
    grew = view.grew_note(inc, 3, locale)
    assert "12,000" in grew and len(grew) < 1000  # the sample is quoted to 160 characters
    assert "None" not in view.grew_note(incident(), 0, locale)


def test_replace_block_swaps_one_and_leaves_the_input() -> None:
    blocks = _card(incident(samples=("a",)), "en").blocks
    before = copy.deepcopy(blocks)
    new = view.body_block("sentiment:sku:SKU1", incident(samples=(REVIEW,) * 50), channels="Douyin",
                          limits=Limits(), locale="zh")
    out = view.replace_block(blocks, new)
    assert blocks == before
    assert_valid_blocks(out)
    assert [b.get("block_id") for b in out] == [b.get("block_id") for b in blocks]
    assert out[1] == new and out[2:] == blocks[2:]
