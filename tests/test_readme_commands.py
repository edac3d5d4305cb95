"""The README's command table lists exactly the registered commands, each syntax of their help once, and
every example page and chart it points at exists: a command added without documenting it fails here."""

from __future__ import annotations

import re
from pathlib import Path

from bot.cli_examples import END, START, slug
from handlers.commands import ALL
from handlers.views.texts import t

ROOT = Path(__file__).resolve().parent.parent


def _table() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert START in text and END in text, "README.md lost its command table markers"
    rows = text.split(START, 1)[1].split(END, 1)[0].strip().splitlines()
    return [r for r in rows[2:] if r.startswith("|")]  # after the head and its rule


def test_the_table_lists_exactly_the_registered_commands() -> None:
    rows = _table()
    listed = [re.match(r"\| `(/[a-z]+)", r) for r in rows]
    assert all(listed), rows
    assert sorted({m.group(1) for m in listed if m}) == sorted(spec.name for spec in ALL)
    syntaxes = [t(row.usage, "en") for spec in ALL for row in spec.help]
    # every syntax of the help, in its order, once
    assert [r.split("`")[1].replace("\\|", "|") for r in rows] == syntaxes


def test_every_example_has_its_page_and_the_charts_it_shows() -> None:
    for row in _table():
        for target in re.findall(r"\((docs/examples/[^)]+\.md)\)|src=\"(docs/examples/[^\"]+\.png)\"", row):
            path = ROOT / (target[0] or target[1])
            assert path.is_file(), path
    for spec in ALL:
        for help_row in spec.help:
            page = ROOT / "docs" / "examples" / f"{slug(help_row.example)}.md"
            assert f"`{help_row.example}`" in page.read_text(encoding="utf-8"), page
