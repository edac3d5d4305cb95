from __future__ import annotations

from slack_bolt import App

from metrics.runtime import Deps


def register(app: App, deps: Deps) -> None:
    from handlers.commands import budget, help, roi

    roi.register(app, deps)
    budget.register(app, deps)
    help.register(app, deps)
