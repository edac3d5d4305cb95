"""`/roi [channel] [window]`: figures + chart in the channel where it was typed; no channel ranks them all."""

from __future__ import annotations

from slack_sdk import WebClient

from handlers.commands.args import ChannelWindow, parse_channel_window
from handlers.commands.kit import CommandSpec, HelpRow, Invocation
from handlers.views import roi as roi_view
from handlers.views.footer import data_footer
from handlers.views.message import Message
from metrics import sales
from metrics.freshness import data_as_of
from metrics.runtime import Deps


def parse(deps: Deps, text: str) -> ChannelWindow:
    return parse_channel_window(text, deps.registry, deps.today())


def build_view(deps: Deps, args: ChannelWindow, locale: str | None = None) -> Message:
    settings, locale = deps.settings, locale or deps.locale
    with deps.engine.connect() as conn:
        footer = data_footer(data_as_of(conn), locale)
        if args.channel is None:
            slugs = list(deps.registry.slugs)
            results = sales.roi_by_channel(conn, window=args.window, channels=slugs, basis=settings.roi_basis)
            return roi_view.ranking_view(
                results=results,
                names={c.slug: c.display(locale) for c in deps.registry},
                floors={s: settings.floor_for(s) for s in slugs},
                locale=locale,
                tz_name=settings.bot_timezone,
                footer=footer,
            )
        slug = args.channel.slug
        result = sales.roi(conn, window=args.window, channel=slug, basis=settings.roi_basis)
        previous = sales.roi(conn, window=args.window.previous(), channel=slug, basis=settings.roi_basis)
        daily = sales.daily_roi(conn, window=args.window, channel=slug, basis=settings.roi_basis)
    return roi_view.channel_roi_view(
        result=result,
        previous=previous,
        daily=daily,
        channel_name=args.channel.display(locale),
        floor=settings.floor_for(slug),
        locale=locale,
        tz_name=settings.bot_timezone,
        footer=footer,
    )


def answer(deps: Deps, args: ChannelWindow, inv: Invocation, client: WebClient) -> Message:
    return build_view(deps, args, inv.locale)


SPEC = CommandSpec(
    "/roi", parse=parse, answer=answer,
    help=(HelpRow("usage.roi", "/roi douyin 30d", "help.roi"),),
)
