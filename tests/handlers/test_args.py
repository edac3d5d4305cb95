from __future__ import annotations

from datetime import date

import pytest

from handlers.commands.args import ArgError, parse_channel_window
from metrics.channels import ChannelRegistry, UnknownChannel
from metrics.windows import WindowError

TODAY = date(2026, 11, 25)
REG = ChannelRegistry()


def test_default_is_all_channels_seven_days() -> None:
    cw = parse_channel_window("", REG, TODAY)
    assert cw.channel is None
    assert (cw.window.start, cw.window.end) == (date(2026, 11, 18), date(2026, 11, 24))


@pytest.mark.parametrize("text", ["douyin 30d", "30d douyin", "抖音 30d", "DY 30d", "千川 30d"])
def test_channel_and_window_in_any_order(text: str) -> None:
    cw = parse_channel_window(text, REG, TODAY)
    assert cw.channel is not None and cw.channel.slug == "douyin"
    assert cw.window.days == 30


def test_window_only() -> None:
    cw = parse_channel_window("mtd", REG, TODAY)
    assert cw.channel is None and cw.window.start == date(2026, 11, 1)


def test_typo_suggests() -> None:
    with pytest.raises(UnknownChannel) as info:
        parse_channel_window("douyn", REG, TODAY)
    assert info.value.suggestion == "douyin"


def test_bad_window_after_channel_explains_grammar() -> None:
    with pytest.raises(WindowError) as info:
        parse_channel_window("douyin 13x", REG, TODAY)
    assert "7d" in str(info.value) and "mtd" in str(info.value)


def test_bad_window_alone_is_a_window_error() -> None:
    with pytest.raises(WindowError):
        parse_channel_window("13x", REG, TODAY)


def test_too_many_arguments() -> None:
    with pytest.raises(ArgError):
        parse_channel_window("douyin 7d extra", REG, TODAY)
