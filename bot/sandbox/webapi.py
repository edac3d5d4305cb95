"""HTTP face of the fake: parses requests the way slack.com receives them and routes them.

    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(backend))
    # POST /api/<method>  POST /upload/v1/<file_id>  GET /files/<file_id>
    # POST /response/<id> GET /state.json
    # and whatever a page mounted with `FakeSlack.mount(path, route)` (the demo sandbox page)
"""

from __future__ import annotations

import json
import logging
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bot.sandbox import methods_views  # noqa: F401 - registers the views.* methods
from bot.sandbox.calls import Call, CallLog, Faults
from bot.sandbox.methods import ApiRequest, call_method, decode_json_fields
from bot.sandbox.responses import ResponseUrls
from bot.sandbox.state import Workspace

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageRequest:
    """A request to a mounted route: method, path, query (last value wins), raw body, headers."""

    method: str
    path: str
    query: dict[str, str]
    body: bytes
    headers: dict[str, str]

    def json(self) -> Any:
        return json.loads(self.body or b"{}")


@dataclass(frozen=True)
class PageReply:
    status: int
    body: bytes
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


Route = Callable[[PageRequest], PageReply]


@dataclass(frozen=True)
class Backend:
    ws: Workspace
    calls: CallLog
    faults: Faults
    responses: ResponseUrls
    socket_url: Callable[[], str] | None
    # extra routes: an exact path, or a prefix ending in "/"; Slack's own paths win
    routes: dict[str, Route] = field(default_factory=dict)

    def route(self, path: str) -> Route | None:
        if path in self.routes:
            return self.routes[path]
        prefixes = [p for p in self.routes if p.endswith("/") and path.startswith(p)]
        return self.routes[max(prefixes, key=len)] if prefixes else None


def parse_body(content_type: str, body: bytes) -> dict[str, Any]:
    """Form, JSON or multipart bodies, as slack_sdk sends them, into one dict of arguments."""
    kind = content_type.split(";")[0].strip().lower()
    if not body:
        return {}
    if kind == "application/json":
        data = json.loads(body)
        return data if isinstance(data, dict) else {}
    if kind == "multipart/form-data":
        msg = BytesParser(policy=HTTP).parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
        out: dict[str, Any] = {}
        for part in msg.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            if isinstance(name, str) and isinstance(payload, bytes):
                out[name] = payload if part.get_filename() else payload.decode()
        return out
    return dict(parse_qsl(body.decode(), keep_blank_values=True))


def make_handler(backend: Backend) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "FakeSlack/1.0"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            log.debug("fake slack: %s", format % args)

        @property
        def base_url(self) -> str:
            # the Host the client used, so URLs we hand out work from wherever it reached us
            address = self.server.server_address
            fallback = f"{address[0]!s}:{address[1]!s}" if isinstance(address, tuple) else "127.0.0.1"
            return f"http://{self.headers.get('Host') or fallback}"

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            if path.startswith("/api/"):
                self._api(path.removeprefix("/api/"), b"")
            elif path.startswith("/files/"):
                self._file(path.removeprefix("/files/"))
            elif path == "/state.json":
                self._json(200, backend.ws.snapshot())
            else:
                self._mounted("GET", b"")

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            path = urlsplit(self.path).path
            if path.startswith("/api/"):
                self._api(path.removeprefix("/api/"), body)
            elif path.startswith("/upload/v1/"):
                self._upload(path.removeprefix("/upload/v1/"), body)
            elif path.startswith("/response/"):
                self._response(path.removeprefix("/response/"), body)
            else:
                self._mounted("POST", body)

        def _mounted(self, method: str, body: bytes) -> None:
            parts = urlsplit(self.path)
            route = backend.route(parts.path)
            if route is None:
                self._json(404, {"ok": False, "error": "not_found"})
                return
            req = PageRequest(method, parts.path, dict(parse_qsl(parts.query)), body, dict(self.headers.items()))
            try:
                reply = route(req)
            except Exception:  # noqa: BLE001 - a page bug answers 500, never kills the fake
                log.exception("sandbox route failed", extra={"path": parts.path})
                reply = PageReply(500, json.dumps({"ok": False, "error": "internal_error"}).encode())
            try:
                self._send(reply.status, reply.body, reply.content_type, reply.headers)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the page went away while a long poll waited

        def _api(self, method: str, body: bytes) -> None:
            headers = dict(self.headers.items())
            try:
                args: dict[str, Any] = dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True))
                args.update(parse_body(self.headers.get("Content-Type", ""), body))
            except ValueError:
                backend.calls.record(Call(method, {}, headers))
                self._json(200, {"ok": False, "error": "invalid_json"})
                return
            args = decode_json_fields(args)
            auth = self.headers.get("Authorization", "")
            token = auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else str(args.pop("token", ""))
            args.pop("token", None)
            # recorded before faults, so a test can count the retries a 429 caused
            backend.calls.record(Call(method, args, headers))
            fault = backend.faults.take(method)
            if fault is not None:
                extra = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
                self._json(fault.status, {"ok": False, "error": fault.error}, extra)
                return
            req = ApiRequest(method, args, token, self.base_url, backend.socket_url)
            self._json(200, call_method(backend.ws, req))

        def _upload(self, file_id: str, body: bytes) -> None:
            backend.calls.record(Call("upload_url", {"file_id": file_id, "length": len(body)}, dict(self.headers)))
            fault = backend.faults.take("upload_url")
            if fault is not None:
                self._plain(fault.status, fault.error)
                return
            ctype = self.headers.get("Content-Type", "")
            if ctype.startswith("multipart/form-data"):  # browsers and older SDKs send a form with one file
                parts = [v for v in parse_body(ctype, body).values() if isinstance(v, bytes)]
                body = parts[0] if parts else b""
            with backend.ws.lock:
                f = backend.ws.files.get(file_id)
                if f is not None:
                    f.data = body
            if f is None:
                self._plain(404, "file_not_found")
            else:
                self._plain(200, f"OK - {len(body)}")

        def _file(self, file_id: str) -> None:
            with backend.ws.lock:
                f = backend.ws.files.get(file_id)
            if f is None or f.data is None:
                self._json(404, {"ok": False, "error": "file_not_found"})
                return
            ctype = mimetypes.guess_type(f.filename)[0] or "application/octet-stream"
            self._send(200, f.data, ctype)

        def _response(self, rid: str, body: bytes) -> None:
            try:
                payload = json.loads(body or b"{}")
            except ValueError:
                payload = None
            backend.calls.record(Call("response_url", {"id": rid, "body": payload}, dict(self.headers)))
            status, result = backend.responses.post(rid, payload)
            self._json(status, result)

        def _json(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
            self._send(status, json.dumps(data).encode(), "application/json; charset=utf-8", headers)

        def _plain(self, status: int, text: str) -> None:
            self._send(status, text.encode(), "text/plain; charset=utf-8")

        def _send(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    return Handler
