from __future__ import annotations

from slack_bolt import App

from handlers.locales import UserLocales
from metrics.runtime import Deps


def register(app: App, deps: Deps, locales: UserLocales) -> None:
    from handlers.actions import alerts, budget

    budget.register(app, deps, locales)
    alerts.register(app, deps, locales)
