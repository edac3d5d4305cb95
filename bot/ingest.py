"""`POST /ingest/reviews` (SPEC §3): reviews and social posts pushed over HTTP.

    curl -H "Authorization: Bearer $INGEST_TOKEN" -d '[{"review_id": "r1", …}]' http://bot/ingest/reviews

The body is a JSON list of the reviews columns; it goes through the same checks as
`ecombot import reviews`, so a bad item imports nothing and the answer names it.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Iterable
from typing import Any

from bot.server import StartResponse, WsgiApp
from metrics.runtime import Deps

log = logging.getLogger(__name__)

MAX_BODY = 5 * 1024 * 1024


def ingest_app(deps: Deps) -> WsgiApp:
    from metrics.imports import ImportFailure, ImportOptions, import_records

    def reply(start_response: StartResponse, status: str, body: dict[str, Any]) -> Iterable[bytes]:
        payload = json.dumps(body, ensure_ascii=False).encode()
        start_response(status, [("Content-Type", "application/json; charset=utf-8"),
                                ("Content-Length", str(len(payload)))])
        return [payload]

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        token = deps.settings.ingest_token
        if environ.get("REQUEST_METHOD") != "POST":
            return reply(start_response, "405 Method Not Allowed", {"ok": False, "error": "POST a JSON list"})
        given = environ.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ").strip()
        if not token:
            return reply(start_response, "503 Service Unavailable", {"ok": False, "error": "INGEST_TOKEN is not set"})
        if not hmac.compare_digest(given.encode(), token.encode()):
            return reply(start_response, "401 Unauthorized", {"ok": False, "error": "bad or missing bearer token"})
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY:
            return reply(start_response, "413 Payload Too Large", {"ok": False, "error": f"max {MAX_BODY} bytes"})
        try:
            items = json.loads(environ["wsgi.input"].read(length) or b"null")
        except (ValueError, UnicodeDecodeError):
            return reply(start_response, "400 Bad Request", {"ok": False, "error": "body is not JSON"})
        if not isinstance(items, list):
            return reply(start_response, "400 Bad Request", {"ok": False, "error": "body must be a JSON list"})
        opts = ImportOptions(tz=deps.settings.tz, registry=deps.registry, today=deps.today(),
                             aliases_file=deps.settings.header_aliases_file, topics=deps.settings.sentiment_topics)
        try:
            result = import_records(deps.engine, "reviews", items, opts, source="POST /ingest/reviews")
        except ImportFailure as exc:
            return reply(start_response, "400 Bad Request", {
                "ok": False, "error": str(exc),
                "problems": [{"item": p.row, "column": p.column, "reason": p.reason} for p in exc.problems]})
        log.info("reviews ingested", extra={"inserted": result.inserted, "updated": result.updated})
        return reply(start_response, "200 OK", {"ok": True, "inserted": result.inserted, "updated": result.updated})

    return application
