"""Every registered command, asked with `--zh` on the demo shop through the fake Slack: no English word in what
the asker reads or in its chart, beyond `tests.chinese.ALLOWED` and the shop's own data (product, experiment
and variant names, the channels' brand names and aliases that `/ecombot channels` lists, what the asker
typed, and the demo budget's actor `ecombot demo`). What is posted for others (the approval card, in BOT_LOCALE)
is not the asker's reply and is left out. The examples are the help's, so a new command is checked
as soon as it is registered."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from bot.examples import ExampleBot, examples
from handlers.views import charts_style
from metrics import schema
from tests.chinese import chart_texts, english_words

_WORD = re.compile(r"[A-Za-z][A-Za-z_]*")


@pytest.fixture(scope="module")
def demo() -> Iterator[tuple[ExampleBot, set[str]]]:
    with ExampleBot() as bot:
        with bot.deps.engine.connect() as conn:
            names = [*conn.execute(select(schema.inventory.c.name)).scalars(),
                     *conn.execute(select(schema.experiments.c.experiment, schema.experiments.c.variant)).all()]
        data = " ".join(str(n) for n in names) + " demo"
        data += " ".join(f" {c.en} {' '.join(c.aliases)}" for c in bot.deps.registry)
        yield bot, set(_WORD.findall(data))


@pytest.mark.parametrize("example", list(examples()))
def test_every_command_answers_in_chinese_only(demo: tuple[ExampleBot, set[str]], example: str) -> None:
    bot, data = demo
    with charts_style.captured() as figures:
        reply = bot.ask(f"{example} --zh")
    assert reply.text, example
    allowed = data | {w for typed in examples() for w in _WORD.findall(typed)}  # the log shows earlier reasons
    assert english_words(reply.text, allowed) == [], reply.text
    for fig in figures:
        texts = chart_texts(fig)
        assert english_words("\n".join(texts), allowed) == [], texts
    if reply.png is not None:
        assert figures, "a chart was sent but not drawn in this process"
