"""Listeners of this feature (filled by its issue)."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps


def register(app: App, deps: Deps) -> None:
    _ = (app, deps)
