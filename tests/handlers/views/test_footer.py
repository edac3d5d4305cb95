"""The "data as of" footer (`handlers.views.footer`) with no sources, some, and unknown ones."""

from __future__ import annotations

from datetime import date

import pytest

from handlers.views.footer import data_footer
from tests.handlers.views.factories import LOCALES


@pytest.mark.parametrize("locale", LOCALES)
def test_no_imports_no_footer(locale: str) -> None:
    assert data_footer({}, locale) is None
    assert data_footer({"orders": None, "ad_spend": None}, locale) is None


@pytest.mark.parametrize("locale", LOCALES)
def test_known_sources_in_order_and_others_left_out(locale: str) -> None:
    as_of = {"ad_spend": date(2026, 11, 23), "reviews": date(2026, 11, 1), "orders": date(2026, 11, 24)}
    footer = data_footer(as_of, locale)
    assert footer is not None
    if locale == "en":
        assert "orders 2026-11-24, ad_spend 2026-11-23" in footer and "reviews" not in footer
    else:  # source names in Chinese too
        assert "订单 2026-11-24, 广告花费 2026-11-23" in footer and "评价" not in footer
    assert "None" not in (data_footer({"orders": date(2026, 11, 24), "ad_spend": None}, locale) or "")
