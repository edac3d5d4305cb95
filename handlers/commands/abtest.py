"""`/abtest [experiment]`: one experiment's statistics and chart, or the running and recent experiments."""

from __future__ import annotations

from slack_sdk import WebClient

from handlers.commands.kit import CommandSpec, HelpRow, Invocation
from handlers.views import abtest as abtest_view
from handlers.views.analysis_fmt import code, esc
from handlers.views.message import Message
from handlers.views.texts import t
from metrics import abtest
from metrics.abtest import NotComparable, UnknownExperiment
from metrics.runtime import Deps

MAX_KNOWN = 15  # names listed in the "unknown experiment" answer


def parse(deps: Deps, text: str) -> str | None:
    name = text.strip()
    return name or None


def build_view(deps: Deps, name: str | None, locale: str | None = None) -> Message:
    locale = locale or deps.locale
    with deps.engine.connect() as conn:
        if name is None:
            return abtest_view.render(abtest.recent(conn, today=deps.today()), locale)
        result = abtest.analyse(conn, name, today=deps.today())
    return abtest_view.render(result, locale)


def answer(deps: Deps, args: str | None, inv: Invocation, client: WebClient) -> Message:
    return build_view(deps, args, inv.locale)


def describe(deps: Deps, exc: Exception, locale: str) -> str | None:
    if isinstance(exc, UnknownExperiment):
        if not exc.known:
            return t("abtest.err.none", locale)
        hint = t("abtest.err.did_you_mean", locale, suggestion=esc(exc.suggestion)) if exc.suggestion else ""
        known = ", ".join(code(n) for n in exc.known[:MAX_KNOWN])
        if len(exc.known) > MAX_KNOWN:
            known += " " + t("abtest.list.more", locale, count=len(exc.known) - MAX_KNOWN)
        return t("abtest.err.unknown", locale, name=esc(exc.name), hint=hint, known=known)
    if isinstance(exc, NotComparable):
        return t(f"abtest.err.{exc.reason}", locale, name=esc(exc.experiment),
                 variants=", ".join(code(v) for v in exc.variants))
    return None


SPEC = CommandSpec(
    "/abtest", parse=parse, answer=answer,
    help=(HelpRow("usage.abtest", "/abtest detail-page-video", "help.abtest"),),
    user_errors=(UnknownExperiment, NotComparable), describe=describe,
)
