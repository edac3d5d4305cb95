"""Figures as they are written, each expected string worked out by hand (never with `fmt` itself)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from handlers.views import fmt


@pytest.mark.parametrize(("now", "before", "expected"), [
    (Decimal(110), Decimal(100), "▲ 10.0%"),      # (110 − 100) / 100
    (Decimal(90), Decimal(120), "▼ 25.0%"),       # (90 − 120) / 120 = −0.25
    (Decimal(150), Decimal(40), "▲ 275.0%"),      # 110 / 40 = 2.75: the base is `before`, not `now`
    (Decimal(1), Decimal(3), "▼ 66.7%"),          # −2 / 3 = −0.6667
    (Decimal("5.5"), Decimal("5.5"), "= 0.0%"),
    (Decimal(7), Decimal(0), "n/a"),              # no base, no ratio (SPEC §4)
    (None, Decimal(3), "n/a"),
    (Decimal(3), None, "n/a"),
])
def test_change_is_relative_to_the_earlier_figure(now: Decimal | None, before: Decimal | None, expected: str) -> None:
    assert fmt.change(now, before) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (Decimal("1234567.891"), "¥1,234,567.89"),
    (Decimal("0.005"), "¥0.01"),                  # half up, as money is rounded on receipts
    (Decimal("-42"), "¥-42.00"),
    (Decimal(0), "¥0.00"),
    (None, "n/a"),
])
def test_money(value: Decimal | None, expected: str) -> None:
    assert fmt.money(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (Decimal("2.345"), "1:2.35"), (Decimal(2), "1:2.00"), (Decimal("0.4"), "1:0.40"), (None, "n/a"),
])
def test_roi_is_written_as_the_team_writes_it(value: Decimal | None, expected: str) -> None:
    assert fmt.roi(value) == expected


@pytest.mark.parametrize(("value", "places", "expected"), [
    (Decimal("0.1234"), 1, "12.3%"), (Decimal("0.05"), 2, "5.00%"), (0.5, 0, "50%"), (Decimal(1), 1, "100.0%"),
    (None, 1, "n/a"),
])
def test_pct(value: Decimal | float | None, places: int, expected: str) -> None:
    assert fmt.pct(value, places) == expected


def test_integer() -> None:
    assert fmt.integer(1234567) == "1,234,567" and fmt.integer(None) == "n/a"
