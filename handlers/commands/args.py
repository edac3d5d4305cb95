"""Arguments shared by the figure commands: `[channel] [window]`, in either order.

    parse_channel_window("抖音 30d", registry, today)  # ChannelWindow(channel=douyin, window=30d)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from metrics.channels import Channel, ChannelRegistry, UnknownChannel
from metrics.windows import ZH_WORDS, Window, WindowError, normalise, parse_window


class ArgError(ValueError):
    """The user typed something we cannot read; the message says how to fix it."""


@dataclass(frozen=True)
class ChannelWindow:
    channel: Channel | None
    window: Window


def parse_channel_window(text: str, registry: ChannelRegistry, today: date) -> ChannelWindow:
    tokens = text.split()
    if len(tokens) > 2:
        raise ArgError("too many arguments")
    channel: Channel | None = None
    window: Window | None = None
    for token in tokens:
        if window is None:
            try:
                window = parse_window(token, today=today)
                continue
            except WindowError as exc:
                window_error: WindowError | None = exc
        else:
            window_error = None
        if channel is not None:
            # a channel is already set, so this token was meant as a window
            raise window_error or ArgError(f"`{token}` is not a window")
        try:
            channel = registry.resolve(token)
        except UnknownChannel as exc:
            if window_error is not None and _looks_like_window(token):
                raise window_error from None
            raise exc from None
    return ChannelWindow(channel, window or parse_window(None, today=today))


def _looks_like_window(token: str) -> bool:
    key = normalise(token)
    return ("0" <= key[:1] <= "9" or key in {"wtd", "mtd", "last-week", "last-month"} or key in ZH_WORDS
            or key.startswith(("近", "最近", "过去")))
