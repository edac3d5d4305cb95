"""`/gmv [channel] [window]`: GMV and its parts vs the previous window and last year, why it moved, a chart."""

from __future__ import annotations

from slack_sdk import WebClient

from handlers.commands.args import ChannelWindow, parse_channel_window
from handlers.commands.kit import CommandSpec, HelpRow, Invocation
from handlers.views import gmv as view
from handlers.views.footer import data_footer
from handlers.views.message import Message
from metrics.freshness import data_as_of
from metrics.gmv import gmv_report
from metrics.runtime import Deps


def parse(deps: Deps, text: str) -> ChannelWindow:
    return parse_channel_window(text, deps.registry, deps.today())


def build_view(deps: Deps, args: ChannelWindow, locale: str) -> Message:
    with deps.engine.connect() as conn:
        report = gmv_report(conn, window=args.window, channels=deps.registry.slugs,
                            channel=args.channel.slug if args.channel else None)
        footer = data_footer(data_as_of(conn), locale, sources=("orders", "traffic"))
    names = {c.slug: c.display(locale) for c in deps.registry}
    return view.render(view.GmvView(report, names, deps.settings.bot_timezone, footer), locale)


def answer(deps: Deps, args: ChannelWindow, inv: Invocation, client: WebClient) -> Message:
    return build_view(deps, args, inv.locale)


SPEC = CommandSpec("/gmv", parse=parse, answer=answer, help=(HelpRow("usage.gmv", "/gmv tmall 30d", "help.gmv"),))
