from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps


def register(app: App, deps: Deps) -> None:
    # Button and modal handlers register here (budget approvals, alert acknowledgements, …).
    _ = (app, deps)
