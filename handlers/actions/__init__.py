from __future__ import annotations

from slack_bolt import App

from metrics.runtime import Deps


def register(app: App, deps: Deps) -> None:
    from handlers.actions import alerts, budget

    budget.register(app, deps)
    alerts.register(app, deps)
