"""The registered commands, manifest.yml and /ecombot help agree; every help row has its texts."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from handlers.commands import ALL
from handlers.views.help import help_message
from handlers.views.texts import TEXTS

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"


def test_manifest_lists_exactly_the_registered_commands() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    declared = {c["command"] for c in manifest["features"]["slash_commands"]}
    assert declared == {spec.name for spec in ALL}
    for c in manifest["features"]["slash_commands"]:
        assert c.get("usage_hint") and c.get("description"), c["command"]


def test_help_lists_exactly_the_registered_commands_in_both_languages() -> None:
    for locale in ("en", "zh"):
        text = "\n".join(b["text"]["text"] for b in help_message([r for s in ALL for r in s.help], locale).blocks
                         if b["type"] == "section")
        listed = set(re.findall(r"^`(/[a-z]+)", text, flags=re.MULTILINE))
        assert listed == {spec.name for spec in ALL}, locale


def test_every_help_row_has_usage_and_description_texts() -> None:
    for spec in ALL:
        assert spec.help, spec.name
        for row in spec.help:
            assert row.usage in TEXTS["en"] and row.key in TEXTS["en"], (spec.name, row)
            assert row.example.startswith(spec.name), row.example
