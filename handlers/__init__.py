"""Slack listeners, one module per command or action family, each with `register(app, deps)`."""

from __future__ import annotations

from slack_bolt import App

from metrics.runtime import Deps


def register_all(app: App, deps: Deps) -> None:
    from handlers import actions, commands
    from handlers.locales import UserLocales

    locales = UserLocales()  # one cache of users' languages for every command and button
    commands.register(app, deps, locales)
    actions.register(app, deps, locales)
