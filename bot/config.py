"""Loading the settings: the one place that reads the environment and `.env` (SPEC §9).

    settings = load_settings()          # raises ConfigError with one line per bad variable
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from metrics.settings import Settings

__all__ = ["ConfigError", "Settings", "load_settings"]


class ConfigError(Exception):
    """A setting is wrong; the message names the variable and what is expected."""


def load_settings(**overrides: Any) -> Settings:
    """Read settings; turn pydantic's report into one line per bad variable."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            name = str(err["loc"][0]).upper() if err["loc"] else "?"
            msg = str(err["msg"]).removeprefix("Value error, ")
            lines.append(f"{name}: {msg}")
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(lines)) from None
