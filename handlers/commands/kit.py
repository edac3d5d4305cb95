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
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from handlers.commands.args import ArgError
from handlers.delivery import UNPACED, Poster, error_id, send
from handlers.locales import UserLocales
from handlers.views.limits import SECTION_TEXT, clip
from handlers.views.message import Message
from handlers.views.mrkdwn import escape
from handlers.views.texts import t
from metrics import command_claims
from metrics.channels import UnknownChannel
from metrics.clock import utc_naive
from metrics.runtime import Deps
from metrics.windows import ECHO_CHARS, WindowError, echo

log = logging.getLogger(__name__)

# `--zh` / `--en` anywhere in the text picks the reply's language and is not an argument
_LOCALE_FLAG = re.compile(r"(?<!\S)--(zh|en)(?!\S)", re.IGNORECASE)


def split_locale_flag(text: str) -> tuple[str, str | None]:
    """("douyin 7d", "zh") from "douyin --zh 7d"; the last flag wins."""
    flags = [m.lower() for m in _LOCALE_FLAG.findall(text)]
    if not flags:
        return text, None
    return " ".join(_LOCALE_FLAG.sub(" ", text).split()), flags[-1]


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
        """`text` without a `--zh` / `--en` flag; the flag, if any, overrides `locale`."""
        text, flag = split_locale_flag(str(command.get("text") or ""))
        return cls(text=text, user_id=str(command.get("user_id") or ""),
                   channel_id=str(command.get("channel_id") or ""), trigger_id=command.get("trigger_id"),
                   locale=flag or locale, raw=command)


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
    """The one sentence for a wrong command text: unknown channel (did you mean), window, usage.

    What the user typed is quoted short (`echo`): a 100 KB word is named, not sent back whole.
    """
    if isinstance(exc, UnknownChannel):
        hint = t("err.did_you_mean", locale, suggestion=exc.suggestion) if exc.suggestion else ""
        return t("err.unknown_channel", locale, name=echo(exc.name), hint=hint, known=", ".join(exc.known))
    if isinstance(exc, WindowError):
        if locale != "zh":
            return t("err.window", locale, message=clip(str(exc), ERROR_ECHO + 300))
        reason = t(f"window.reason.{exc.code}", locale, **exc.params) if exc.code else ""
        return t("err.window_bad", locale, text=echo(exc.text), reason=reason, grammar=t("window.grammar", locale))
    line = t("err.usage", locale, usage=t(usage.usage, locale), example=usage.example) if usage else ""
    said = escape(clip(str(exc), ERROR_ECHO))  # the user's own words, shown back: never obeyed, never 100 KB
    if isinstance(exc, ArgError):
        return f"{said}. {line}".strip()
    return line or said


_QUOTED = re.compile(rf"`([^`]{{{ECHO_CHARS + 1},}})`")
_LONG_WORD = re.compile(rf"\S{{{ECHO_CHARS * 4},}}")


def short_quotes(text: str) -> str:
    """Whatever a command's own error sentence quotes of the typed text, shortened to `echo` length,
    and any very long word cut: a 100 KB token is named, never sent back whole."""
    text = _QUOTED.sub(lambda m: f"`{echo(m.group(1))}`", text)
    return _LONG_WORD.sub(lambda m: echo(m.group(0), ECHO_CHARS * 2), text)


def _describe(spec: CommandSpec[Any], deps: Deps, exc: Exception, locale: str) -> str:
    said = spec.describe(deps, exc, locale) if spec.describe is not None else None
    return clip(short_quotes(said if said is not None else error_text(deps, exc, locale, spec.usage)), SECTION_TEXT)


def first_time(deps: Deps, command: dict[str, Any]) -> str | None:
    """The claim key of a command to answer now, or None for one already answered: Slack's retry
    (X-Slack-Retry-Num) or a replay of the same signed request carries the same trigger id, and only
    the first claim of it answers, on any replica. "" when the command has no trigger id to claim."""
    trigger = command.get("trigger_id")
    if not isinstance(trigger, str) or not trigger:
        return ""
    key = f"cmd:{trigger}"
    said = f"{command.get('command') or ''} {str(command.get('text') or '')[:200]}".strip()
    if command_claims.claim(deps.engine, key, now_utc=utc_naive(deps.now()), command=said,
                            user_id=str(command.get("user_id") or "") or None,
                            response_url=str(command.get("response_url") or "") or None):
        return key
    log.info("command %s with trigger %s answered already: a retry or a replay", command.get("command"), trigger)
    return None


def register(app: App, deps: Deps, spec: CommandSpec[Any], locales: UserLocales | None = None) -> None:
    errors = USER_ERRORS + spec.user_errors
    user_locales = locales or UserLocales()

    def invocation(command: dict[str, Any], client: WebClient) -> Invocation:
        # a command's answer is one the user asked for: in their own Slack language unless flagged
        if split_locale_flag(str(command.get("text") or ""))[1] is not None:
            return Invocation.of(command, deps.locale)
        return Invocation.of(command, user_locales.of(client, str(command.get("user_id") or ""), deps.locale))

    def ack_command(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        inv = Invocation.of(command, deps.locale)
        try:
            spec.parse(deps, inv.text)
        except errors as exc:
            # the language is looked up only here, on the error path: a good command's ack waits for nothing
            inv = invocation(command, client)
            ack(response_type="ephemeral", text=clip(_describe(spec, deps, exc, inv.locale), SECTION_TEXT))
            return
        ack()

    def answer_command(command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        key = first_time(deps, command)
        if key is None:
            return
        try:
            answer_once(command, client, respond)
        finally:
            # closed however it ended; a claim left open means the process died (jobs/interrupted_commands.py)
            if key:
                command_claims.finish(deps.engine, key, now_utc=utc_naive(deps.now()))

    def answer_once(command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        inv = invocation(command, client)
        try:
            args = spec.parse(deps, inv.text)
        except errors:
            return  # the ack answered; Bolt runs the lazy listener regardless
        try:
            answer = spec.answer(deps, args, inv, client)
            deliver(client, inv, answer, respond, spec.name)
        except errors as exc:  # found out only with the database at hand (a month with no budget…)
            respond(response_type="ephemeral", text=clip(_describe(spec, deps, exc, inv.locale), SECTION_TEXT))
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
         command=command, user=inv.user_id)
