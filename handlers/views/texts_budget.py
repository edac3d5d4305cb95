"""Texts of the budget feature; merged into handlers.views.texts.TEXTS (one lookup for all texts)."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {"en": {}, "zh": {}}
# (usage, example, description en, description zh) rows for /ecombot help
COMMANDS: list[tuple[str, str, str, str]] = []
