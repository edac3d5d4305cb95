"""`/retention [channel] [window]`: repurchase rate, new vs returning, monthly cohorts and LTV."""

from __future__ import annotations

from slack_sdk import WebClient

from handlers.commands.args import ChannelWindow, parse_channel_window
from handlers.commands.kit import CommandSpec, HelpRow, Invocation
from handlers.views import retention as retention_view
from handlers.views.footer import data_footer
from handlers.views.message import Message
from handlers.views.texts import t
from metrics import retention
from metrics.freshness import data_as_of
from metrics.runtime import Deps


def parse(deps: Deps, text: str) -> ChannelWindow:
    return parse_channel_window(text, deps.registry, deps.today())


def build_view(deps: Deps, args: ChannelWindow, locale: str | None = None) -> Message:
    locale = locale or deps.locale
    slug = args.channel.slug if args.channel else None
    with deps.engine.connect() as conn:
        footer = data_footer(data_as_of(conn), locale, sources=("orders",))
        result = retention.retention(conn, window=args.window, channel=slug)
    name = args.channel.display(locale) if args.channel else t("rfm.all_channels", locale)
    return retention_view.render(result, locale, channel_name=name,
                                 names={c.slug: c.display(locale) for c in deps.registry}, footer=footer)


def answer(deps: Deps, args: ChannelWindow, inv: Invocation, client: WebClient) -> Message:
    return build_view(deps, args, inv.locale)


SPEC = CommandSpec(
    "/retention", parse=parse, answer=answer,
    help=(HelpRow("usage.retention", "/retention douyin 30d", "help.retention"),),
)
