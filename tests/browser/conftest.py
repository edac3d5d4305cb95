"""Browser tests: `ecombot demo` in a subprocess, driven through its page by headless Chromium.

Uses the system Chromium (Debian's `chromium`, installed by .ci/run) through Playwright; browsers are
never downloaded. Without /usr/bin/chromium the tests are skipped with the reason printed.
Screenshots go to test-artifacts/browser/ (ignored by git, kept by CI).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
READY = re.compile(r"Sandbox ready: (http://\S+)")
START_TIMEOUT = 60.0


def _skip(reason: str) -> None:
    print(f"\n[skip] {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium() -> Path:
    if not CHROMIUM.exists():
        _skip(f"{CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium) to run browser tests")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _skip("playwright (Python) is not installed")
    return CHROMIUM


@dataclass
class Demo:
    """A running `ecombot demo`: its page URL and everything it printed so far."""

    url: str
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)

    def printed(self) -> str:
        return "".join(self.output)


@pytest.fixture(scope="module")
def demo(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """`ecombot demo --port 0 --no-browser` on a fresh SQLite database, stopped with SIGTERM afterwards."""
    workdir = tmp_path_factory.mktemp("demo")  # no .env here: the demo must work with none
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
    env["PYTHONUNBUFFERED"] = "1"
    command = [sys.executable, "-m", "bot", "--database-url", f"sqlite:///{workdir / 'demo.db'}",
               "demo", "--port", "0", "--no-browser"]
    process = subprocess.Popen(command, cwd=workdir, env=env, text=True, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    assert process.stdout is not None
    output: list[str] = []
    found = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)
            if READY.search(line):
                found.set()

    reader = threading.Thread(target=read, name="demo-output", daemon=True)
    reader.start()
    try:
        if not found.wait(START_TIMEOUT):
            raise AssertionError(f"demo not ready after {START_TIMEOUT:.0f} s:\n{''.join(output)}")
        match = READY.search("".join(output))
        assert match is not None
        running = Demo(match.group(1), process, output)
        yield running
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0, running.printed()
        reader.join(timeout=5)
        assert "Stopped." in running.printed()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(chromium: Path) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        launched = pw.chromium.launch(
            executable_path=str(chromium),
            headless=True,
            args=["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else [],
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh page (own storage, so the user choice of one test does not leak into the next)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    shot(tab, f"{request.node.name}-end")
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def shot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


@pytest.fixture(scope="session", autouse=True)
def _fresh_artifacts() -> None:
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)


def wait_until(check: Any, timeout: float = 10, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step)
    return False
