"""POST /ingest/reviews over real HTTP: auth, checks, atomicity, idempotency."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from bot.config import load_settings
from bot.server import HttpServer
from metrics import schema
from metrics.runtime import build_deps

TOKEN = "ingest-secret"


@pytest.fixture
def server(engine: Engine) -> Iterator[str]:
    from bot.ingest import ingest_app

    settings = load_settings(database_url=str(engine.url.render_as_string(hide_password=False)), ingest_token=TOKEN)
    deps = build_deps(settings, engine=engine, clock=lambda: datetime(2026, 11, 25, 2, tzinfo=UTC))
    http = HttpServer(ingest_app(deps), host="127.0.0.1", port=0, threads=4)
    http.start()
    yield f"{http.url}/ingest/reviews"
    http.stop()


def post(url: str, body: Any, token: str | None = TOKEN, raw: bytes | None = None) -> tuple[int, dict[str, Any]]:
    data = raw if raw is not None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": "application/json"})
    if token is not None:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(schema.reviews)).scalar_one())


ITEMS = [
    {"review_id": "wb-1", "channel": "weibo", "created_at": "2026-11-24T21:00:00+08:00",
     "text": "这款面霜用了过敏，脸上起红疹", "author_followers": 250000},
    {"review_id": "tm-1", "channel": "天猫", "sku": "SKU-1001", "created_at": "2026-11-24 20:00:00",
     "text": "很好用，回购第三次了", "rating": 5},
]


def test_ingest_inserts_then_updates(server: str, engine: Engine) -> None:
    assert post(server, ITEMS) == (200, {"ok": True, "inserted": 2, "updated": 0})
    assert post(server, ITEMS) == (200, {"ok": True, "inserted": 0, "updated": 2})
    assert count(engine) == 2
    with engine.connect() as conn:
        rows = {r.review_id: r for r in conn.execute(select(schema.reviews))}
    assert rows["tm-1"].channel == "tmall" and rows["wb-1"].sku is None
    assert rows["wb-1"].sentiment < 0.5


@pytest.mark.parametrize("token", [None, "wrong", ""])
def test_ingest_refuses_bad_tokens(server: str, engine: Engine, token: str | None) -> None:
    status, body = post(server, ITEMS, token=token)
    assert status == 401 and not body["ok"]
    assert count(engine) == 0


@pytest.mark.parametrize("raw,error", [(b"{not json", "not JSON"), (b'{"a": 1}', "JSON list"),
                                       (b"[]", "no records"), (b"[1, 2]", "not an object")])
def test_ingest_garbage(server: str, engine: Engine, raw: bytes, error: str) -> None:
    status, body = post(server, None, raw=raw)
    assert status == 400 and error in body["error"]
    assert count(engine) == 0


def test_one_bad_item_imports_nothing(server: str, engine: Engine) -> None:
    bad = [*ITEMS, {"review_id": "x", "channel": "jd", "created_at": "yesterday", "text": "?", "rating": 7}]
    status, body = post(server, bad)
    assert status == 400
    assert {(p["item"], p["column"]) for p in body["problems"]} == {(3, "created_at"), (3, "rating")}
    assert count(engine) == 0


# -- what is refused before the import ---------------------------------------------------------------


def one(**fields: Any) -> list[dict[str, Any]]:
    return [ITEMS[1], {**ITEMS[0], **fields}]


def send_with(url: str, authorization: str) -> int:
    req = urllib.request.Request(url, data=json.dumps(ITEMS).encode(), method="POST",
                                 headers={"Content-Type": "application/json", "Authorization": authorization})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.parametrize("header", ["ingest-secret", "Token ingest-secret", "Basic ingest-secret", "Bearer",
                                    "Bearer ingest-secret x", "xBearer ingest-secret", "Bearer ingest-secretx",
                                    "Bearer ingest-secret,Bearer other", "Bearer Bearer ingest-secret"])
def test_only_a_bearer_token_is_accepted(server: str, engine: Engine, header: str) -> None:
    assert send_with(server, header) == 401
    assert count(engine) == 0


@pytest.mark.parametrize("header", ["bearer ingest-secret", "Bearer  ingest-secret"])
def test_the_bearer_scheme_as_rfc_6750_writes_it(server: str, engine: Engine, header: str) -> None:
    # the scheme's name is case-insensitive and one or more spaces may follow it (RFC 6750 §2.1)
    assert send_with(server, header) == 200


@pytest.mark.parametrize("fields,column", [
    ({"text": "过敏\u0000"}, "text"),
    ({"review_id": "wb-\u00001"}, "review_id"),
    ({"text": "bad \ud800 surrogate"}, "text"),
])
def test_characters_a_database_cannot_store_are_refused_by_item_and_column(
    server: str, engine: Engine, fields: dict[str, Any], column: str
) -> None:
    status, body = post(server, None, raw=json.dumps(one(**fields)).encode())
    assert status == 400, body
    assert [(p["item"], p["column"]) for p in body["problems"]] == [(2, column)]
    assert count(engine) == 0


@pytest.mark.parametrize("text", [5, 1.5, True, {"zh": "好"}, ["好"]])
def test_text_must_be_a_string(server: str, engine: Engine, text: Any) -> None:
    status, body = post(server, one(text=text))
    assert status == 400
    assert [(p["item"], p["column"]) for p in body["problems"]] == [(2, "text")]
    assert "item 2" in body["error"]
    assert count(engine) == 0


@pytest.mark.parametrize("items,where", [
    ([[ITEMS[0]]], (1, None)),
    ([ITEMS[0], {**ITEMS[1], "rating": [5]}], (2, "rating")),
    ([ITEMS[0], {**ITEMS[1], "sku": {"id": "SKU-1001"}}], (2, "sku")),
])
def test_nesting_is_refused(server: str, engine: Engine, items: list[Any], where: tuple[int, str | None]) -> None:
    status, body = post(server, items)
    assert status == 400
    assert [(p["item"], p["column"]) for p in body["problems"]] == [where]
    assert count(engine) == 0


@pytest.mark.parametrize("raw", [b"[" * 100_000 + b"]" * 100_000, b'[{"review_id": "x", "rating": NaN}]',
                                 b'[{"review_id": "x", "rating": 1e999}]'])
def test_bodies_json_allows_but_nobody_means_are_refused(server: str, engine: Engine, raw: bytes) -> None:
    status, body = post(server, None, raw=raw)
    assert status == 400 and not body["ok"]
    assert count(engine) == 0


def test_a_byte_order_mark_at_the_start_of_a_field_is_dropped(server: str, engine: Engine) -> None:
    items = [{"\ufeffreview_id": "\ufeffO5021", "channel": "\ufeff天猫", "sku": "\ufeffSKU-1001",
              "created_at": "2026-11-24 20:00:00", "text": "\ufeff很好用", "rating": 5}]
    assert post(server, items) == (200, {"ok": True, "inserted": 1, "updated": 0})
    with engine.connect() as conn:
        [row] = conn.execute(select(schema.reviews)).all()
    assert (row.review_id, row.channel, row.sku, row.text) == ("O5021", "tmall", "SKU-1001", "很好用")
