"""`create_app(deps)`: the Bolt app with every handler registered — the bot's composition root."""

from __future__ import annotations

import gc
import logging
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_bolt.lazy_listener.thread_runner import ThreadLazyListenerRunner
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from metrics.runtime import Deps

log = logging.getLogger(__name__)


def web_client(deps: Deps) -> WebClient:
    """A Web API client for SLACK_API_URL that retries 429 (honouring Retry-After), 5xx and resets."""
    return WebClient(
        token=deps.settings.slack_bot_token,
        base_url=deps.settings.slack_api_url,
        timeout=15,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def create_app(deps: Deps, *, verify_token: bool = True) -> App:
    from handlers import register_all

    settings = deps.settings
    app = App(
        client=web_client(deps),
        signing_secret=settings.slack_signing_secret or "",
        # auth.test at start-up catches a wrong token before the first user does
        token_verification_enabled=verify_token and bool(settings.slack_bot_token),
        # the HTTP listener returns as soon as ack() ran; lazy listeners do the work after
        process_before_response=False,
        # request_verification stays on: Bolt refuses bad or stale signatures with 401
    )
    # Bolt runs acks and lazy listeners on one pool of 5 threads: a burst of /roi (each rendering a
    # chart) would queue later acks behind the charts, past Slack's 3 s. Lazy work gets its own pool.
    app.listener_runner.lazy_listener_runner = ThreadLazyListenerRunner(
        logger=app.logger, executor=ThreadPoolExecutor(max_workers=4, thread_name_prefix="bolt-lazy")
    )
    register_all(app, deps)
    log.info("slack app ready", extra={"api_url": settings.slack_api_url})
    return app


def settle_heap() -> None:
    """Call once the app is built, before serving: everything start-up made (modules, matplotlib's
    font tables, pandas, SQLAlchemy, Bolt) leaves the garbage collector's view for good.

    A full collection otherwise walks those ~170k objects and holds every thread for 70–120 ms,
    which is what pushed the /roi ack's p99 past 50 ms (bench/bench_roi.py); frozen, it takes ~20 ms.
    """
    gc.collect()
    gc.freeze()
