"""`/rfm [channel] [as-of YYYY-MM-DD]`: RFM segments of the buyers with what to do for each."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from slack_sdk import WebClient

from handlers.commands.args import ArgError
from handlers.commands.kit import CommandSpec, HelpRow, Invocation
from handlers.views import rfm as rfm_view
from handlers.views.footer import data_footer
from handlers.views.message import Message
from handlers.views.texts import t
from metrics import rfm
from metrics.channels import Channel
from metrics.freshness import data_as_of
from metrics.rfm import NoBuyers
from metrics.runtime import Deps

_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")


@dataclass(frozen=True)
class RfmArgs:
    channel: Channel | None
    as_of: date


def parse(deps: Deps, text: str, locale: str | None = None) -> RfmArgs:
    """`[channel] [YYYY-MM-DD]` in either order; the date defaults to today and may not be later."""
    locale = locale or deps.locale
    tokens = text.split()
    if len(tokens) > 2:
        raise ArgError(t("rfm.err.args", locale))
    channel: Channel | None = None
    as_of: date | None = None
    today = deps.today()
    for token in tokens:
        if as_of is None and _DATE.match(token):
            try:
                as_of = date.fromisoformat("-".join(p.zfill(2) for p in token.split("-")))
            except ValueError:
                raise ArgError(t("rfm.err.date", locale, text=token)) from None
            if as_of > today:
                raise ArgError(t("rfm.err.future", locale, date=as_of.isoformat(), today=today.isoformat()))
        elif channel is None:
            channel = deps.registry.resolve(token)  # UnknownChannel: the kit answers with "did you mean"
        else:
            raise ArgError(t("rfm.err.date", locale, text=token))
    return RfmArgs(channel, as_of or today)


def channel_name(deps: Deps, channel: Channel | None, locale: str) -> str:
    return channel.display(locale) if channel else t("rfm.all_channels", locale)


def build_view(deps: Deps, args: RfmArgs, locale: str | None = None) -> Message:
    locale = locale or deps.locale
    slug = args.channel.slug if args.channel else None
    with deps.engine.connect() as conn:
        footer = data_footer(data_as_of(conn), locale, sources=("orders",))
        result = rfm.segments(conn, as_of=args.as_of, channel=slug)
    return rfm_view.render(result, locale, channel_name=channel_name(deps, args.channel, locale), footer=footer)


def answer(deps: Deps, args: RfmArgs, inv: Invocation, client: WebClient) -> Message:
    return build_view(deps, args, inv.locale)


def describe(deps: Deps, exc: Exception, locale: str) -> str | None:
    if isinstance(exc, NoBuyers):
        where = ""
        if exc.channel:
            where = t("rfm.err.in_channel", locale, channel=deps.registry.get(exc.channel).display(locale))
        first = t("rfm.err.first", locale, first=exc.first_day.isoformat()) if exc.first_day else ""
        return t("rfm.err.no_buyers", locale, as_of=exc.as_of.isoformat(), channel=where, first=first)
    return None


SPEC = CommandSpec(
    "/rfm", parse=parse, answer=answer,
    help=(HelpRow("usage.rfm", "/rfm tmall 2026-11-30", "help.rfm"),),
    user_errors=(NoBuyers,), describe=describe,
)
