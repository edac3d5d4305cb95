"""The help message (`handlers.views.help`) with no rows and with hundreds of oversized ones."""

from __future__ import annotations

import copy
from dataclasses import dataclass

import pytest

from handlers.views.help import help_message
from tests.blocks import assert_valid_message, block_text
from tests.handlers.views.factories import HUGE, HUGE_ZH, LOCALES


@dataclass(frozen=True)
class Row:
    usage: str
    example: str
    key: str


@pytest.mark.parametrize("locale", LOCALES)
def test_help_without_rows(locale: str) -> None:
    msg = help_message([], locale)
    assert_valid_message(msg)  # no empty section: Slack refuses a section without text
    assert len(msg.blocks) == 2  # the title and the window grammar


@pytest.mark.parametrize("locale", LOCALES)
def test_help_of_one_row(locale: str) -> None:
    msg = help_message([Row("usage.roi", "/roi douyin 30d", "help.roi")], locale)
    assert_valid_message(msg)
    assert "`/roi douyin 30d`" in block_text(msg.blocks)
    assert msg.text == ("ecombot commands" if locale == "en" else "ecombot 命令")


@pytest.mark.parametrize("locale", LOCALES)
def test_help_of_hundreds_of_oversized_rows(locale: str) -> None:
    rows = [Row("usage.roi", HUGE_ZH if i % 2 else HUGE, "help.roi") for i in range(300)]
    before = copy.deepcopy(rows)
    msg = help_message(rows, locale)
    assert_valid_message(msg)
    assert rows == before
    assert help_message(rows, locale) == msg
