"""`POST /ingest/reviews` (SPEC §3): reviews and social posts pushed over HTTP.

    curl -H "Authorization: Bearer $INGEST_TOKEN" -d '[{"review_id": "r1", …}]' http://bot/ingest/reviews

The body is a JSON list of the reviews columns; it goes through the same checks as
`ecombot import reviews`, so a bad item imports nothing and the answer names it.

Before the import, the body must be a list of flat objects: every value a string, number, boolean
or null, `text` a string, and no character a database cannot store (NUL; a lone surrogate, which
JSON's `\\ud800` escapes allow). A byte-order mark that an export left at the start of a field or
a key is dropped. A refusal names the item (counted from 1) and the column, as the import does.
"""

from __future__ import annotations

import hmac
import json
import logging
import math
import re
from collections.abc import Iterable
from typing import Any

from bot.server import StartResponse, WsgiApp
from metrics.runtime import Deps

log = logging.getLogger(__name__)

MAX_BODY = 5 * 1024 * 1024
# RFC 6750 §2.1: the scheme (case-insensitive), one or more spaces, one b64token — nothing else
_BEARER = re.compile(r"bearer +([A-Za-z0-9\-._~+/]+=*)", re.IGNORECASE)
_BOM = "\ufeff"
_SCALARS = (str, int, float, bool, type(None))


class Refusal(ValueError):
    def __init__(self, error: str, problems: list[dict[str, Any]] | None = None) -> None:
        super().__init__(error)
        self.problems = problems or []


def bearer_token(header: str) -> str | None:
    found = _BEARER.fullmatch(header.strip())
    return found.group(1) if found else None


def _no_constants(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def parse_items(raw: bytes) -> list[dict[str, Any]]:
    """The body as a list of flat objects, cleaned; `Refusal` names what is wrong."""
    try:
        items = json.loads(raw or b"null", parse_constant=_no_constants)
    except RecursionError:
        raise Refusal("body is nested too deeply") from None
    except (ValueError, UnicodeDecodeError):
        raise Refusal("body is not JSON") from None
    if not isinstance(items, list):
        raise Refusal("body must be a JSON list")
    out: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    for number, item in enumerate(items, 1):
        if not isinstance(item, dict):
            problems.append({"item": number, "column": None, "reason": "is not an object"})
            continue
        clean: dict[str, Any] = {}
        for key, value in item.items():
            column = key.lstrip(_BOM)
            reason = _unstorable(column) and f"column name {_unstorable(column)}"
            if not reason:
                value, reason = _field(column, value)
            if reason:
                problems.append({"item": number, "column": column, "reason": reason})
            clean[column] = value
        out.append(clean)
    if problems:
        first = problems[0]
        where = f"item {first['item']}" + (f", column {first['column']}" if first["column"] else "")
        raise Refusal(f"{where}: {first['reason']}" + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""),
                      problems)
    return out


def _field(column: str, value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, _SCALARS):
        return value, "is nested (a list or an object); give a plain value"
    if column == "text" and not isinstance(value, str):
        return value, "must be a string"
    if isinstance(value, float) and not math.isfinite(value):
        return value, "is not a finite number"
    if isinstance(value, str):
        value = value.lstrip(_BOM)  # an export's byte-order mark, not part of the value
        if why := _unstorable(value):
            return value, why
    return value, None


def _unstorable(text: str) -> str | None:
    if "\x00" in text:
        return "contains a NUL character (\\u0000), which databases cannot store"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "contains a lone surrogate (\\ud800–\\udfff), which is not a character"
    return None


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
        if not token:
            return reply(start_response, "503 Service Unavailable", {"ok": False, "error": "INGEST_TOKEN is not set"})
        given = bearer_token(environ.get("HTTP_AUTHORIZATION", ""))
        if given is None or not hmac.compare_digest(given.encode(), token.encode()):
            return reply(start_response, "401 Unauthorized", {"ok": False, "error": "bad or missing bearer token"})
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BODY:
            return reply(start_response, "413 Payload Too Large", {"ok": False, "error": f"max {MAX_BODY} bytes"})
        try:
            items = parse_items(environ["wsgi.input"].read(length))
        except Refusal as refusal:
            log.info("ingest refused: %s", refusal)
            body: dict[str, Any] = {"ok": False, "error": str(refusal)}
            if refusal.problems:
                body["problems"] = refusal.problems
            return reply(start_response, "400 Bad Request", body)
        opts = ImportOptions(tz=deps.settings.tz, registry=deps.registry, today=deps.today(),
                             aliases_file=deps.settings.header_aliases_file, topics=deps.settings.sentiment_topics,
                             model=deps.settings.sentiment_model)
        try:
            result = import_records(deps.engine, "reviews", items, opts, source="POST /ingest/reviews")
        except ImportFailure as exc:
            return reply(start_response, "400 Bad Request", {
                "ok": False, "error": str(exc),
                "problems": [{"item": p.row, "column": p.column, "reason": p.reason} for p in exc.problems]})
        log.info("reviews ingested", extra={"inserted": result.inserted, "updated": result.updated})
        return reply(start_response, "200 OK", {"ok": True, "inserted": result.inserted, "updated": result.updated})

    return application
