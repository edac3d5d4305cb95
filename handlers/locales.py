"""Whose language a reply is in: a user's own Slack language (`users.info` with include_locale), cached.

    locales = UserLocales()                           # one per app, shared by commands and buttons
    locales.of(client, "U123", default=deps.locale)   # "zh" for a user whose Slack is in Chinese

A reply only one person sees, or that they asked for, is in their language; what a channel reads is in
BOT_LOCALE (SPEC, issue "the command suite": language per reply).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from slack_sdk import WebClient

log = logging.getLogger(__name__)

LOCALE_TTL_SECONDS = 3600.0


class UserLocales:
    """A user's own Slack language (`users.info` with include_locale), cached per user for a TTL.

    Looked up only for replies the user asked for; a failed lookup (scope missing, Slack down)
    falls back to BOT_LOCALE for this reply and is tried again next time.
    """

    def __init__(self, ttl: float = LOCALE_TTL_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[str, float]] = {}

    def of(self, client: WebClient | None, user_id: str, default: str) -> str:
        if not user_id or client is None:
            return default
        now = self._clock()
        with self._lock:
            hit = self._cache.get(user_id)
        if hit is not None and hit[1] > now:
            return hit[0]
        try:
            info = client.users_info(user=user_id, include_locale=True)
            raw = str((info.get("user") or {}).get("locale") or "")
        except Exception:  # the reply goes out in the default language rather than not at all
            log.warning("users.info failed; replying in %s", default, exc_info=True)
            return default
        locale = "zh" if raw.lower().startswith("zh") else "en" if raw else default
        with self._lock:
            self._cache[user_id] = (locale, now + self.ttl)
        return locale
