"""Slash commands: each module has a `SPEC`; this list is the bot's commands, its help and its manifest.

A new command is one module here (its `parse`, `answer` and `SPEC`) plus its texts, and one line below.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from handlers.commands import abtest, budget, funnel, gmv, help, kit, report, retention, rfm, roi, sentiment, stock
from handlers.commands.kit import CommandSpec
from handlers.locales import UserLocales
from metrics.runtime import Deps

COMMANDS: tuple[CommandSpec[Any], ...] = (roi.SPEC, gmv.SPEC, funnel.SPEC, stock.SPEC, sentiment.SPEC, report.SPEC,
                                          budget.SPEC, abtest.SPEC, rfm.SPEC, retention.SPEC)
ALL: tuple[CommandSpec[Any], ...] = (*COMMANDS, help.spec(COMMANDS))


def register(app: App, deps: Deps, locales: UserLocales) -> None:
    for spec in ALL:
        kit.register(app, deps, spec, locales)
    help.register_dm(app, deps, COMMANDS, locales)
