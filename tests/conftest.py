from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.config import Settings, load_settings
from metrics.schema import metadata
from tests.dbs import Unreachable, scratch_database, server_urls, url_id

# Tests never read a developer's .env or talk to real Slack.
os.environ.pop("SLACK_BOT_TOKEN", None)
os.environ.pop("SLACK_APP_TOKEN", None)

_SERVERS = server_urls()


def _params() -> list[object]:
    return ["sqlite", *(pytest.param(u, id=url_id(u)) for u in _SERVERS)]


@pytest.fixture(scope="session", params=_params())
def db_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One database per backend for the whole session; tables are emptied before each test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'ecombot.db'}"
        return
    try:
        with scratch_database(request.param) as url:
            yield url
    except Unreachable as exc:
        print(f"\n[skip] {exc}")
        pytest.skip(str(exc))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    from metrics.db import connect

    eng = connect(db_url)
    with eng.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """A private SQLite database, for tests that only need one backend."""
    from metrics.db import connect

    eng = connect(f"sqlite:///{tmp_path / 'one.db'}")
    yield eng
    eng.dispose()


@pytest.fixture
def settings(engine: Engine) -> Settings:
    return load_settings(database_url=engine.url.render_as_string(hide_password=False), _env_file=None)
