"""A Socket Mode endpoint: the WebSocket that `apps.connections.open` points the bot to.

    sm = FakeSocketMode().start(); url = sm.new_url()          # ws://127.0.0.1:PORT/link/?ticket=...
    eid = sm.send_envelope("slash_commands", fields, accepts_response_payload=True)
    sm.wait_ack(eid, timeout=5)                                # {"envelope_id": eid, "payload": {...}}
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
import time
import uuid
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

from bot.sandbox.state import APP_ID, Json

log = logging.getLogger(__name__)

ENVELOPE_TYPES = ("slash_commands", "interactive", "events_api")


class FakeSocketMode:
    """Accepts clients on plain ws://, greets them with `hello`, sends envelopes, collects acks."""

    def __init__(self, *, host: str = "127.0.0.1", app_id: str = APP_ID) -> None:
        self.host = host
        self.app_id = app_id
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._changed = threading.Condition()
        self._open: list[ServerConnection] = []
        self._draining: list[ServerConnection] = []  # told to reconnect; closed once a new one arrives
        self._connected_total = 0
        self._acks: dict[str, Json] = {}
        self._received: list[Json] = []
        self._tickets = itertools.count(1)

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> FakeSocketMode:
        # a short close_timeout: stop() must not wait 10 s for a client that drops sockets without a close frame
        self._server = serve(self._serve, self.host, 0, close_timeout=0.5, compression=None)
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-socket-mode", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeSocketMode is not started")
        return int(self._server.socket.getsockname()[1])

    def new_url(self) -> str:
        """A fresh URL, as `apps.connections.open` issues one per connection."""
        return f"ws://{self.host}:{self.port}/link/?ticket={next(self._tickets):08d}&app_id={self.app_id}"

    # -- what the tests use -------------------------------------------------------------------

    @property
    def connections(self) -> int:
        """How many clients are connected now."""
        with self._changed:
            return len(self._open)

    def wait_connected(self, count: int = 1, timeout: float = 5) -> None:
        """Block until `count` connections have ever been made (a reconnect makes it two)."""
        self._wait(lambda: self._connected_total >= count, timeout, f"{count} socket mode connections")

    def send_envelope(
        self,
        type: str,  # noqa: A002 - Slack's field name
        payload: Json,
        *,
        accepts_response_payload: bool = False,
        retry_attempt: int = 0,
        retry_reason: str = "",
        timeout: float = 5,
    ) -> str:
        """Send to the newest connection (waiting up to `timeout` for one); returns the envelope_id."""
        if type not in ENVELOPE_TYPES:
            raise ValueError(f"envelope type must be one of {ENVELOPE_TYPES}")
        envelope_id = str(uuid.uuid4())
        envelope: Json = {
            "envelope_id": envelope_id,
            "type": type,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }
        if type == "events_api":
            envelope.update(retry_attempt=retry_attempt, retry_reason=retry_reason)
        self._wait(lambda: bool(self._open), timeout, "a socket mode connection")
        with self._changed:
            conn = self._open[-1]
        conn.send(json.dumps(envelope))
        return envelope_id

    def wait_ack(self, envelope_id: str, timeout: float = 5) -> Json:
        """The client's acknowledgement: `{"envelope_id": ..., "payload": {...}}` (payload optional)."""
        self._wait(lambda: envelope_id in self._acks, timeout, f"ack of {envelope_id}")
        with self._changed:
            return self._acks[envelope_id]

    def received(self) -> list[Json]:
        """Every JSON message clients sent, in order."""
        with self._changed:
            return list(self._received)

    def disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask every client to reconnect, as Slack does every few hours."""
        msg = json.dumps({"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-fake"}})
        with self._changed:
            conns = list(self._open)
            self._draining.extend(conns)
        for conn in conns:
            conn.send(msg)

    def reset(self) -> None:
        with self._changed:
            self._acks.clear()
            self._received.clear()

    # -- internals ----------------------------------------------------------------------------

    def _wait(self, ready: Any, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not ready():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no {what} within {timeout}s")
                self._changed.wait(left)

    def _serve(self, conn: ServerConnection) -> None:
        conn.send(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": self.connections + 1,
                    "debug_info": {"host": "applink-fake", "build_number": 1, "approximate_connection_time": 18060},
                    "connection_info": {"app_id": self.app_id},
                }
            )
        )
        with self._changed:
            self._open.append(conn)
            self._connected_total += 1
            stale, self._draining = self._draining, []
            self._changed.notify_all()
        # Slack drops a connection it asked to refresh once the replacement is up; clients rely on that
        for old in stale:
            threading.Thread(target=old.close, name="fake-socket-mode-drain", daemon=True).start()
        log.debug("socket mode client connected: %s", conn.request.path if conn.request else "?")
        try:
            for raw in conn:
                self._on_message(raw)
        except ConnectionClosed:
            pass  # the client went away; nothing to clean up beyond the bookkeeping below
        finally:
            with self._changed:
                self._open.remove(conn)
                if conn in self._draining:
                    self._draining.remove(conn)
                self._changed.notify_all()

    def _on_message(self, raw: str | bytes) -> None:
        try:
            msg = json.loads(raw)
        except ValueError:
            log.warning("socket mode client sent non-JSON: %r", raw[:200])
            return
        with self._changed:
            self._received.append(msg)
            if isinstance(msg, dict) and "envelope_id" in msg:
                self._acks[str(msg["envelope_id"])] = msg
            self._changed.notify_all()
