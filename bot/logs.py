"""Structured logging: one JSON object per line, secrets never included.

Log calls pass values as `%s` arguments; `extra={...}` fields are merged into the object.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

_SECRET = re.compile(r"(xox[abprs]-|xapp-)[A-Za-z0-9-]+")
_STD = set(vars(logging.makeLogRecord({})))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": _SECRET.sub(r"\1***", record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in _STD and not key.startswith("_"):
                out[key] = value if isinstance(value, int | float | bool | None) else str(value)
        if record.exc_info:
            out["exc"] = _SECRET.sub(r"\1***", self.formatException(record.exc_info))
        return json.dumps(out, ensure_ascii=False)


def setup_logging(level: str = "INFO") -> None:
    """JSON lines on stderr at `level` (LOG_LEVEL, or the command line's --log-level)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # slack_sdk logs request bodies at DEBUG; keep them out unless asked for
    logging.getLogger("slack_sdk").setLevel(logging.INFO)
    logging.getLogger("alembic").setLevel(logging.WARNING)
