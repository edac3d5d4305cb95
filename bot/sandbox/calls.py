"""What reached the fake Slack (`CallLog`) and the failures it was told to inject (`Faults`).

    log.record(Call("chat.postMessage", {"channel": "C0REPORTS"}, {}, time.time()))
    log.wait_for("chat.postMessage", count=1, timeout=5)     # -> the matching calls
    faults.add("chat.postMessage", status=429, retry_after=1); faults.take("chat.postMessage")
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Call:
    """One request: the Web API method (or `upload_url` / `response_url`), its merged arguments, headers."""

    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    at: float = field(default_factory=time.time)


class CallLog:
    """Append-only, thread-safe; `wait_for` lets a test block until the bot's background work lands."""

    def __init__(self) -> None:
        self._calls: list[Call] = []
        self._changed = threading.Condition()

    def record(self, call: Call) -> None:
        with self._changed:
            self._calls.append(call)
            self._changed.notify_all()

    def calls(self, method: str | None = None) -> list[Call]:
        with self._changed:
            return [c for c in self._calls if method is None or c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5) -> list[Call]:
        """Block until at least `count` calls of `method`; TimeoutError names what did arrive."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [c for c in self._calls if c.method == method]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [c.method for c in self._calls]
                    raise TimeoutError(f"{len(found)}/{count} {method} calls after {timeout}s; saw {seen}")
                self._changed.wait(left)

    def reset(self) -> None:
        with self._changed:
            self._calls.clear()


@dataclass
class Fault:
    """How to fail: an HTTP status (429 carries Retry-After) or a 200 with `{"ok": false, "error": ...}`."""

    status: int
    error: str
    retry_after: int | None
    times: int


class Faults:
    """Failures queued per method, consumed one request at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queued: dict[str, list[Fault]] = {}

    def add(
        self,
        method: str,
        *,
        status: int | None = None,
        error: str | None = None,
        retry_after: int = 1,
        times: int = 1,
    ) -> None:
        if status is None:
            status = 200 if error else 429
        if error is None:
            error = {429: "ratelimited"}.get(status, "internal_error" if status >= 500 else "fatal_error")
        fault = Fault(status, error, retry_after if status == 429 else None, times)
        with self._lock:
            self._queued.setdefault(method, []).append(fault)

    def take(self, method: str) -> Fault | None:
        with self._lock:
            queue = self._queued.get(method)
            if not queue:
                return None
            fault = queue[0]
            fault.times -= 1
            if fault.times <= 0:
                queue.pop(0)
            return fault

    def clear(self) -> None:
        with self._lock:
            self._queued.clear()
