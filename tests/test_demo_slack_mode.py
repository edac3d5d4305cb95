"""`ecombot demo` with real Slack credentials: seeds the database and runs the bot against Slack."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from sqlalchemy import func, select

from bot.sandbox import FakeSlack
from metrics import schema
from metrics.db import connect


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_demo_with_slack_credentials_serves_against_slack(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    port = free_port()
    with FakeSlack(port=0, socket_mode=False) as fake:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL"))}
        env.update(SLACK_BOT_TOKEN="xoxb-demo", SLACK_SIGNING_SECRET="secret", SLACK_API_URL=fake.api_url,
                   PYTHONUNBUFFERED="1")
        proc = subprocess.Popen([sys.executable, "-m", "bot", "--database-url", db, "demo", "--no-browser",
                                 "--port", str(port), "--host", "127.0.0.1"],
                                cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            deadline = time.monotonic() + 60
            health = None
            while time.monotonic() < deadline and proc.poll() is None:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as resp:
                        health = json.loads(resp.read())
                        break
                except OSError:
                    time.sleep(0.2)
            assert health == {"ok": True, "database": "up"}, proc.stdout.read() if proc.stdout else ""
            assert fake.calls("auth.test"), "the bot checks its token with Slack at start-up"
        finally:
            proc.send_signal(signal.SIGTERM)
            out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert "against your Slack workspace" in out
    engine = connect(db)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(schema.orders)).scalar_one() > 0
    engine.dispose()
