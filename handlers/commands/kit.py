"""The command kit: a slash command is a `CommandSpec` (parse + answer + help rows); the kit does the rest.

    SPEC = CommandSpec("/roi", parse=parse, answer=answer,
                       help=(HelpRow("usage.roi", "/roi douyin 30d", "help.roi"),))

`register(app, deps, spec)` acks at once — with the parse error, ephemeral, when the text is wrong —
then answers in a lazy listener: `answer` returns a `Message` for the channel (posted with its chart
by `handlers.delivery.send`, or through the response_url where the bot cannot post), an `Ephemeral`
for the user alone, or None when it answered itself (a modal). Whatever fails after the ack, the user
gets one line with an error id and the log has the trace.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from handlers.commands.args import ArgError
from handlers.delivery import UNPACED, Poster, error_id, send
from handlers.views.limits import clip
from handlers.views.message import Message
from handlers.views.mrkdwn import escape
from handlers.views.texts import t
from metrics.channels import UnknownChannel
from metrics.runtime import Deps
from metrics.windows import WindowError

log = logging.getLogger(__name__)

A = TypeVar("A")
ERROR_ECHO = 300  # characters of the user's text an error message quotes back


class UsageError(ValueError):
    """The command text is not one the command reads; the reply is its usage line."""


@dataclass(frozen=True)
class HelpRow:
    usage: str  # text key of the syntax: "/roi [channel] [window]", "/roi [渠道] [区间]"
    example: str  # "/roi douyin 30d", the same in every language
    key: str  # text key of the one-line description


@dataclass(frozen=True)
class Invocation:
    """Who typed what, where: the parts of Slack's command payload an answer needs."""

    text: str
    user_id: str
    channel_id: str
    trigger_id: str | None
    locale: str
    raw: dict[str, Any]

    @classmethod
    def of(cls, command: dict[str, Any], locale: str) -> Invocation:
        return cls(text=str(command.get("text") or ""), user_id=str(command.get("user_id") or ""),
                   channel_id=str(command.get("channel_id") or ""), trigger_id=command.get("trigger_id"),
                   locale=locale, raw=command)


@dataclass(frozen=True)
class Ephemeral:
    """An answer only the person who typed the command sees."""

    message: Message


Answer = Message | Ephemeral | None
# Errors a command raises for a wrong text; each is turned into a sentence for the user
Describe = Callable[[Deps, Exception, str], str | None]


@dataclass(frozen=True)
class CommandSpec(Generic[A]):
    name: str  # "/roi", as in manifest.yml
    parse: Callable[[Deps, str], A]
    answer: Callable[[Deps, A, Invocation, WebClient], Answer]
    help: tuple[HelpRow, ...] = ()
    # exceptions that mean "the text is wrong": told at the ack, never an error id
    user_errors: tuple[type[Exception], ...] = ()
    describe: Describe | None = None  # a sentence for one of `user_errors`, or None for the default

    @property
    def usage(self) -> HelpRow | None:
        return self.help[0] if self.help else None


USER_ERRORS: tuple[type[Exception], ...] = (UnknownChannel, WindowError, ArgError, UsageError)


def error_text(deps: Deps, exc: Exception, locale: str, usage: HelpRow | None = None) -> str:
    """The one sentence for a wrong command text: unknown channel (did you mean), window, usage."""
    if isinstance(exc, UnknownChannel):
        hint = t("err.did_you_mean", locale, suggestion=exc.suggestion) if exc.suggestion else ""
        return t("err.unknown_channel", locale, name=clip(exc.name, 80), hint=hint, known=", ".join(exc.known))
    if isinstance(exc, WindowError):
        return t("err.window", locale, message=clip(str(exc), ERROR_ECHO + 300))
    line = t("err.usage", locale, usage=t(usage.usage, locale), example=usage.example) if usage else ""
    said = escape(clip(str(exc), ERROR_ECHO))  # the user's own words, shown back: never obeyed, never 100 KB
    if isinstance(exc, ArgError):
        return f"{said}. {line}".strip()
    return line or said


def _describe(spec: CommandSpec[Any], deps: Deps, exc: Exception, locale: str) -> str:
    said = spec.describe(deps, exc, locale) if spec.describe is not None else None
    return said if said is not None else error_text(deps, exc, locale, spec.usage)


def register(app: App, deps: Deps, spec: CommandSpec[Any]) -> None:
    errors = USER_ERRORS + spec.user_errors

    def ack_command(ack: Ack, command: dict[str, Any]) -> None:
        inv = Invocation.of(command, deps.locale)
        try:
            spec.parse(deps, inv.text)
        except errors as exc:
            ack(response_type="ephemeral", text=_describe(spec, deps, exc, inv.locale))
            return
        ack()

    def answer_command(command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        inv = Invocation.of(command, deps.locale)
        try:
            args = spec.parse(deps, inv.text)
        except errors:
            return  # the ack answered; Bolt runs the lazy listener regardless
        try:
            answer = spec.answer(deps, args, inv, client)
            deliver(client, inv, answer, respond, spec.name)
        except errors as exc:  # found out only with the database at hand (a month with no budget…)
            respond(response_type="ephemeral", text=_describe(spec, deps, exc, inv.locale))
        except Exception:
            # whatever failed (SQL, chart, Slack), the user gets one short line and an id, never a trace
            eid = error_id()
            log.exception("command %s failed", spec.name, extra={"error_id": eid, "command_text": inv.text[:200]})
            respond(response_type="ephemeral", text=t("err.internal", inv.locale, error_id=eid))

    app.command(spec.name)(ack=ack_command, lazy=[answer_command])


def deliver(client: WebClient, inv: Invocation, answer: Answer, respond: Respond | Callable[..., Any],
            command: str = "") -> None:
    if answer is None:
        return
    if isinstance(answer, Ephemeral):
        blocks = answer.message.blocks or None  # Slack refuses an empty list of blocks
        respond(response_type="ephemeral", text=answer.message.text, blocks=blocks)
        return
    send(Poster(client, pacer=UNPACED), answer, channel=inv.channel_id, respond=respond, locale=inv.locale,
         command=command)
