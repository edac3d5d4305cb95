"""`/funnel [channel] [window]`: UV → cart users → buyers per channel, with the stalled-payment flag."""

from __future__ import annotations

from slack_sdk import WebClient

from handlers.commands.args import ChannelWindow, parse_channel_window
from handlers.commands.kit import CommandSpec, HelpRow, Invocation
from handlers.views import funnel as view
from handlers.views.footer import data_footer
from handlers.views.message import Message
from metrics.freshness import data_as_of
from metrics.gmv import funnel_report
from metrics.runtime import Deps


def parse(deps: Deps, text: str) -> ChannelWindow:
    return parse_channel_window(text, deps.registry, deps.today())


def build_view(deps: Deps, args: ChannelWindow, locale: str) -> Message:
    # every channel is computed even for one: its flag compares it with the all-channel rates
    with deps.engine.connect() as conn:
        report = funnel_report(conn, window=args.window, channels=deps.registry.slugs)
        footer = data_footer(data_as_of(conn), locale, sources=("orders", "traffic"))
    names = {c.slug: c.display(locale) for c in deps.registry}
    channel = args.channel.slug if args.channel else None
    return view.render(view.FunnelView(report, names, channel, deps.settings.bot_timezone, footer), locale)


def answer(deps: Deps, args: ChannelWindow, inv: Invocation, client: WebClient) -> Message:
    return build_view(deps, args, inv.locale)


SPEC = CommandSpec("/funnel", parse=parse, answer=answer,
                   help=(HelpRow("usage.funnel", "/funnel 30d", "help.funnel"),))
