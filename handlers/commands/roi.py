"""`/roi [channel] [window]`: ack at once, then figures + chart in the channel where it was typed."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.commands.args import ArgError, ChannelWindow, parse_channel_window
from handlers.views import roi as roi_view
from handlers.views.footer import data_footer
from handlers.views.texts import t
from metrics import sales
from metrics.channels import UnknownChannel
from metrics.runtime import Deps
from metrics.windows import WindowError

log = logging.getLogger(__name__)

# Slack's answers that mean "the bot cannot post here": fall back to the response_url
_CANNOT_POST = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}


def register(app: App, deps: Deps) -> None:
    def ack_roi(ack: Ack, command: dict[str, Any]) -> None:
        try:
            parse(deps, command.get("text", ""))
        except (UnknownChannel, WindowError, ArgError) as exc:
            ack(response_type="ephemeral", text=error_text(deps, exc))
            return
        ack()

    def run_roi(command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        answer_roi(deps, command, client, respond)

    app.command("/roi")(ack=ack_roi, lazy=[run_roi])


def parse(deps: Deps, text: str) -> ChannelWindow:
    return parse_channel_window(text, deps.registry, deps.today())


def error_text(deps: Deps, exc: Exception) -> str:
    locale = deps.locale
    if isinstance(exc, UnknownChannel):
        hint = t("err.did_you_mean", locale, suggestion=exc.suggestion) if exc.suggestion else ""
        return t("err.unknown_channel", locale, name=exc.name, hint=hint, known=", ".join(exc.known))
    if isinstance(exc, WindowError):
        return t("err.window", locale, message=str(exc))
    return f"{exc}. " + t("err.usage_roi", locale)


def build_view(deps: Deps, args: ChannelWindow) -> roi_view.RoiView:
    settings, locale = deps.settings, deps.locale
    with deps.engine.connect() as conn:
        footer = data_footer(conn, deps)
        if args.channel is None:
            slugs = list(deps.registry.slugs)
            results = sales.roi_by_channel(conn, window=args.window, channels=slugs)
            return roi_view.ranking_view(
                results=results,
                names={c.slug: c.display(locale) for c in deps.registry},
                floors={s: settings.floor_for(s) for s in slugs},
                locale=locale,
                tz_name=settings.bot_timezone,
                footer=footer,
            )
        slug = args.channel.slug
        result = sales.roi(conn, window=args.window, channel=slug)
        previous = sales.roi(conn, window=args.window.previous(), channel=slug)
        daily = sales.daily_roi(conn, window=args.window, channel=slug)
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


def answer_roi(deps: Deps, command: dict[str, Any], client: WebClient, respond: Respond) -> None:
    locale = deps.locale
    try:
        args = parse(deps, command.get("text", ""))
    except (UnknownChannel, WindowError, ArgError):
        # ack_roi already answered with the ephemeral error; Bolt runs the lazy listener regardless
        return
    try:
        view = build_view(deps, args)
        deliver(client, command, view, respond, locale)
    except Exception:
        # whatever failed (SQL, chart, Slack), the user gets one short line and an id, never a trace
        error_id = _error_id()
        log.exception("roi failed", extra={"error_id": error_id, "command_text": command.get("text", "")})
        respond(response_type="ephemeral", text=t("err.internal", locale, error_id=error_id))


def _error_id() -> str:
    return uuid.uuid4().hex[:8]


def _slack_error(exc: SlackApiError) -> str | None:
    return exc.response.get("error") if exc.response is not None else None


def deliver(
    client: WebClient,
    command: dict[str, Any],
    view: roi_view.RoiView,
    respond: Respond | Callable[..., Any],
    locale: str,
) -> None:
    """Post the message and the chart where the command was typed, or fall back to response_url."""
    channel_id = command["channel_id"]
    if channel_id.startswith("D") or command.get("channel_name") == "directmessage":
        respond(response_type="ephemeral", text=view.text,
                blocks=view.blocks + roi_view.plain_blocks(t("roi.dm", locale)))
        return

    def cannot_post(error: str | None) -> None:
        log.info("cannot post in channel, answering via response_url",
                 extra={"channel": channel_id, "slack_error": error})
        respond(response_type="ephemeral", text=view.text,
                blocks=view.blocks + roi_view.plain_blocks(t("roi.invite", locale)))

    try:
        client.chat_postMessage(channel=channel_id, text=view.text, blocks=view.blocks)
    except SlackApiError as exc:
        if _slack_error(exc) not in _CANNOT_POST:
            raise
        cannot_post(_slack_error(exc))
        return
    if view.chart is None:
        return
    try:
        client.files_upload_v2(
            channel=channel_id, content=view.chart, filename=view.chart_name, title=view.chart_title
        )
    except SlackApiError as exc:
        if _slack_error(exc) in _CANNOT_POST:  # e.g. posting allowed by chat:write.public, files not
            cannot_post(_slack_error(exc))
            return
        _chart_failed(respond, locale, channel_id, exc)
    except OSError as exc:  # the upload host itself: urllib's HTTPError/URLError, timeouts
        _chart_failed(respond, locale, channel_id, exc)


def _chart_failed(respond: Respond | Callable[..., Any], locale: str, channel_id: str, exc: Exception) -> None:
    """The figures are posted; only the chart is missing. Say so to the user, keep the details in the log."""
    error_id = _error_id()
    log.warning("roi chart upload failed", exc_info=exc, extra={"error_id": error_id, "channel": channel_id})
    respond(response_type="ephemeral", text=t("roi.chart_failed", locale, error_id=error_id))
