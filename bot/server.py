"""Transports: HTTP (waitress, a production WSGI server) or Socket Mode.

    http = HttpServer(wsgi_app(app, deps), port=3000).start()   # POST /slack/events, GET /healthz, POST /ingest/reviews
    socket_mode_handler(app, deps).connect()                     # Socket Mode, when SLACK_APP_TOKEN is set
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App

from bot.slack_guard import GuardedRequestHandler, slack_guard
from metrics.runtime import Deps

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def wsgi_app(app: App, deps: Deps, extra: dict[str, WsgiApp] | None = None) -> WsgiApp:
    """Route /slack/events to Bolt (behind the signature and shape gate), /healthz to a DB ping, and
    `extra` paths to their apps."""
    bolt = slack_guard(GuardedRequestHandler(app, path="/slack/events"),
                       signing_secret=deps.settings.slack_signing_secret)
    routes = dict(extra or {})

    def healthz(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        from sqlalchemy import text

        try:
            with deps.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            status, body = "200 OK", {"ok": True, "database": "up"}
        except Exception as exc:  # noqa: BLE001 - health reports, never raises
            status, body = "503 Service Unavailable", {"ok": False, "database": type(exc).__name__}
        payload = json.dumps(body).encode()
        start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
        return [payload]

    routes["/healthz"] = healthz
    if "/ingest/reviews" not in routes:
        from bot.ingest import ingest_app

        routes["/ingest/reviews"] = ingest_app(deps)

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        handler = routes.get(path)
        if handler is not None:
            return handler(environ, start_response)
        for prefix, sub in routes.items():
            if prefix.endswith("/") and path.startswith(prefix):
                return sub(environ, start_response)
        if path == "/slack/events":
            result: Iterable[bytes] = bolt(environ, start_response)
            return result
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    return application


class HttpServer:
    """waitress in a thread, so tests and the demo can start and stop it in-process."""

    def __init__(self, application: WsgiApp, *, host: str = "0.0.0.0", port: int = 3000, threads: int = 8) -> None:
        from waitress.server import create_server

        self._server = create_server(application, host=host, port=port, threads=threads, ident="ecombot")
        self.port = int(self._server.effective_port)  # type: ignore[union-attr]
        self.host = host
        self._thread: threading.Thread | None = None
        self._stop_lock = threading.Lock()
        self._stopped = False

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.port}"

    def serve_forever(self) -> None:
        self._server.run()

    def start(self) -> HttpServer:
        self._thread = threading.Thread(target=self._server.run, name="http", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """End the worker threads once their tasks are done, then close every socket from the server's own loop.

        Closing them from this thread races the loop's select() (EBADF kills the loop thread) and
        leaves the loop asleep for up to a second; the trigger runs the close in the loop at once.
        """
        server: Any = self._server
        with self._stop_lock:
            # idempotent: a second stop (a test's teardown after a signal handler) must not pull a
            # trigger whose pipe the first one closed
            if self._stopped:
                return
            self._stopped = True
        # workers first: one still finishing a response ends by pulling the trigger, and a trigger
        # closed under it is an EBADF that waitress logs as an error
        server.task_dispatcher.shutdown(timeout=5)
        if self._thread is not None and self._thread.is_alive():
            from waitress import wasyncore

            try:
                server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
            except OSError:  # the loop already closed its sockets
                pass
            self._thread.join(timeout=5)
        else:
            server.close()


def socket_mode_handler(app: App, deps: Deps) -> Any:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    return SocketModeHandler(app, app_token=deps.settings.slack_app_token)
