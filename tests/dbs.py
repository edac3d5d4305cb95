"""Test databases: SQLite always, plus every server in TEST_DATABASE_URLS that answers.

Each server gets a throwaway database for the session (created, migrated, dropped), so the
suite never touches the `test` database's own tables and two runs do not collide.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from metrics.db import connect, normalize_url


def server_urls() -> list[str]:
    raw = os.environ.get("TEST_DATABASE_URLS", "")
    return [u.strip() for u in raw.split(",") if u.strip()]


def url_id(url: str) -> str:
    return make_url(normalize_url(url)).get_backend_name()


class Unreachable(Exception):
    pass


@contextmanager
def scratch_database(server_url: str) -> Iterator[str]:
    """Create a fresh database on the server of `server_url`; yield its URL; drop it."""
    url = make_url(normalize_url(server_url))
    name = f"ecombot_t_{uuid.uuid4().hex[:10]}"
    backend = url.get_backend_name()
    connect_args = {"connect_timeout": 3}
    try:
        admin = create_engine(url, isolation_level="AUTOCOMMIT", connect_args=connect_args)
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}"))
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable here"
        raise Unreachable(f"{backend} at {url.host}:{url.port} is not reachable ({type(exc).__name__}: "
                          f"{str(exc).splitlines()[0][:160]})") from None
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            if backend == "postgresql":
                conn.execute(text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :n AND pid <> pg_backend_pid()"), {"n": name})
            conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        admin.dispose()


def fresh_engine(url: str) -> Engine:
    return connect(url)


def scratch_or_skip(backend: str, why: str = "") -> Iterator[str]:
    """For a fixture: a scratch database on the TEST_DATABASE_URLS server of `backend`, or a printed skip."""
    import pytest

    urls = [u for u in server_urls() if url_id(u) == backend]
    if not urls:
        reason = f"no {backend} URL in TEST_DATABASE_URLS{why}"
        print(f"\n[skip] {reason}")
        pytest.skip(reason)
    try:
        with scratch_database(urls[0]) as url:
            yield url
    except Unreachable as exc:
        print(f"\n[skip] {exc}")
        pytest.skip(str(exc))
