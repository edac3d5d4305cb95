"""`FakeSlack`: a local slack.com — Web API, file uploads, response_urls and Socket Mode — in threads.

    with FakeSlack() as fake:
        client = WebClient(base_url=fake.api_url, token="xoxb-test")   # http://127.0.0.1:PORT/api/
        fake.wait_for("chat.postMessage"); fake.messages("C0REPORTS")
"""

from __future__ import annotations

import threading
from http.server import ThreadingHTTPServer
from types import TracebackType

from bot.sandbox.calls import Call, CallLog, Faults
from bot.sandbox.responses import Response, ResponseUrls
from bot.sandbox.socket_mode import FakeSocketMode
from bot.sandbox.state import Json, Workspace
from bot.sandbox.webapi import Backend, Route, make_handler


class FakeSlack:
    """Owns the workspace state, the call log, queued faults and both servers.

    `workspace` is shared with whoever renders it; `reset()` forgets calls, faults and responses
    but keeps the workspace (messages stay), so build a new FakeSlack for a clean team.
    """

    def __init__(
        self, *, workspace: Workspace | None = None, host: str = "127.0.0.1", port: int = 0, socket_mode: bool = True
    ) -> None:
        self.workspace = workspace or Workspace()
        self._calls = CallLog()
        self._faults = Faults()
        self._responses = ResponseUrls(self.workspace)
        self.socket_mode: FakeSocketMode | None = FakeSocketMode(host=host) if socket_mode else None
        self._backend = backend = Backend(
            self.workspace,
            self._calls,
            self._faults,
            self._responses,
            self.socket_mode.new_url if self.socket_mode else None,
        )
        self._server = ThreadingHTTPServer((host, port), make_handler(backend))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        if self.socket_mode is not None:
            self.socket_mode.start()
        # a short poll interval: stop() waits for it, and tests start and stop a fake each
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-slack", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self.socket_mode is not None:
            self.socket_mode.stop()

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def mount(self, path: str, route: Route) -> None:
        """Serve `route` at `path` (exact) or under it (a prefix ending in "/"), e.g. the sandbox page."""
        self._backend.routes[path] = route

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        """What the bot gets as SLACK_API_URL / `WebClient(base_url=...)`."""
        return f"{self.url}/api/"

    # -- recording and faults -----------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        return self._calls.calls(method)

    def wait_for(self, method: str, count: int = 1, timeout: float = 5) -> list[Call]:
        """Block until at least `count` calls of `method` arrived; returns them (TimeoutError otherwise)."""
        return self._calls.wait_for(method, count, timeout)

    def reset(self) -> None:
        self._calls.reset()
        self._faults.clear()
        self._responses.reset()
        if self.socket_mode is not None:
            self.socket_mode.reset()

    def fail_next(
        self,
        method: str,
        *,
        status: int | None = None,
        error: str | None = None,
        retry_after: int = 1,
        times: int = 1,
    ) -> None:
        """Fail the next `times` calls of `method` (`upload_url` for the upload URL itself).

        fail_next("chat.postMessage")                         # 429 + Retry-After: 1, error "ratelimited"
        fail_next("chat.postMessage", error="not_in_channel")  # 200 {"ok": false, "error": ...}
        fail_next("chat.postMessage", status=500)             # 500 {"ok": false, "error": "internal_error"}
        """
        self._faults.add(method, status=status, error=error, retry_after=retry_after, times=times)

    # -- response_url -------------------------------------------------------------------------

    def new_response_url(
        self,
        *,
        channel_id: str = "C0REPORTS",
        user_id: str = "U0ALICE",
        message_ts: str | None = None,
        ephemeral: bool = False,
    ) -> str:
        """A response_url aimed at a channel and user; `message_ts` lets replace_original edit it
        (the user's ephemeral message of that ts when `ephemeral`)."""
        rid = self._responses.new(channel_id=channel_id, user_id=user_id, message_ts=message_ts, ephemeral=ephemeral)
        return f"{self.url}/response/{rid}"

    def apply_response(self, *, channel_id: str, user_id: str, body: Json) -> None:
        """Show a response body (a slash command's ack payload) as Slack would: ephemeral or in channel."""
        self._responses.apply(channel_id=channel_id, user_id=user_id, body=body)

    def responses(self) -> list[Response]:
        return self._responses.responses()

    # -- state shortcuts ----------------------------------------------------------------------

    def messages(self, channel: str) -> list[Json]:
        return self.workspace.messages(channel)

    def message(self, channel: str, ts: str) -> Json:
        return self.workspace.message(channel, ts)

    def thread(self, channel: str, thread_ts: str) -> list[Json]:
        return self.workspace.thread(channel, thread_ts)

    def ephemerals(self, channel: str, user: str) -> list[Json]:
        return self.workspace.ephemeral(channel, user)

    def file_bytes(self, file_id: str) -> bytes | None:
        with self.workspace.lock:
            f = self.workspace.files.get(file_id)
            return None if f is None else f.data
