"""`/sentiment [channel | sku] [window]`: negative share over time, top negative topics, open incidents."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk import WebClient

from handlers.commands.args import ArgError, _looks_like_window
from handlers.commands.kit import CommandSpec, HelpRow, Invocation
from handlers.views import sentiment as view
from handlers.views.footer import data_footer
from handlers.views.message import Message
from handlers.views.suite import esc
from handlers.views.texts import t
from metrics.channels import Channel, UnknownChannel
from metrics.freshness import data_as_of
from metrics.review_stats import sentiment_report
from metrics.runtime import Deps
from metrics.windows import Window, WindowError, echo, parse_window

log = logging.getLogger(__name__)
MAX_SKU = 64  # the orders.sku column
MAX_LINKS = 15


@dataclass(frozen=True)
class SentimentArgs:
    channel: Channel | None
    sku: str | None
    window: Window


def parse(deps: Deps, text: str) -> SentimentArgs:
    tokens = text.split()
    if len(tokens) > 2:
        raise ArgError("too many arguments")
    channel: Channel | None = None
    sku: str | None = None
    window: Window | None = None
    for token in tokens:
        if window is None:
            try:
                window = parse_window(token, today=deps.today())
                continue
            except WindowError:
                if _looks_like_window(token):
                    raise
        if channel is not None or sku is not None:
            raise ArgError(f"`{echo(token)}` is not a window")
        try:
            channel = deps.registry.resolve(token)
        except UnknownChannel as exc:
            if exc.suggestion is not None:
                raise  # a typo of a channel ("douyn"), not a SKU
            if len(token) > MAX_SKU:
                raise ArgError(f"`{echo(token)}` is neither a channel nor a SKU") from None
            sku = token
    return SentimentArgs(channel, sku, window or parse_window(None, today=deps.today()))


def _links(client: WebClient, incidents: list[tuple[str, str, str]]) -> dict[str, str]:
    """Permalinks of the incident cards; one that Slack will not give is shown as "no card"."""
    out = {}
    for key, channel, ts in incidents[:MAX_LINKS]:
        try:
            out[key] = str(client.chat_getPermalink(channel=channel, message_ts=ts)["permalink"])
        except Exception:  # a deleted card or a channel the bot left: the line says "no card"
            log.info("no permalink for incident %s", key)
    return out


def answer(deps: Deps, args: SentimentArgs, inv: Invocation, client: WebClient) -> Message:
    locale = inv.locale
    with deps.engine.connect() as conn:
        report = sentiment_report(conn, window=args.window, tz=deps.settings.tz,
                                  channel=args.channel.slug if args.channel else None, sku=args.sku)
        footer = data_footer(data_as_of(conn), locale, sources=("reviews",))
    links = _links(client, [(i.key, i.channel, i.ts) for i in report.incidents if i.channel and i.ts])
    what = (args.channel.display(locale) if args.channel else esc(args.sku) if args.sku
            else t("suite.all_channels", locale))
    return view.render(view.SentimentView(report, what, links, deps.settings.bot_timezone, footer), locale)


SPEC = CommandSpec("/sentiment", parse=parse, answer=answer,
                   help=(HelpRow("usage.sentiment", "/sentiment douyin 7d", "help.sentiment"),))
