"""One typed settings object, read from the environment and `.env` (SPEC §9).

    settings = load_settings()          # raises ConfigError with a readable message
    settings.tz                          # ZoneInfo of BOT_TIMEZONE
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

CommaList = Annotated[tuple[str, ...], NoDecode]


class ConfigError(Exception):
    """A setting is wrong; the message names the variable and what is expected."""


def _split(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return tuple(str(v).strip() for v in value if str(v).strip())


def _ratio_map(value: Any) -> dict[str, Decimal]:
    """`douyin=2.5,tmall=1:3` → {"douyin": 2.5, "tmall": 3}. A `1:` prefix is accepted as ROI notation."""
    if isinstance(value, dict):
        return {str(k): Decimal(str(v)) for k, v in value.items()}
    out: dict[str, Decimal] = {}
    for item in _split(value):
        key, sep, raw = item.partition("=")
        if not sep:
            raise ValueError(f"expected name=value, got {item!r}")
        out[key.strip().lower()] = _ratio(raw)
    return out


def _ratio(raw: Any) -> Decimal:
    text = str(raw).strip()
    if text.startswith("1:"):
        text = text[2:]
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{raw!r} is not a number") from None
    if not value.is_finite() or value <= 0:
        raise ValueError(f"{raw!r} must be a positive number")
    return value


_CRON_FIELDS = 5


def _schedule_map(value: Any) -> dict[str, str]:
    """`daily-report=0 9 * * *;stock-alerts=30 8,14 * * *` → {name: cron}. `;` separates jobs."""
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    out: dict[str, str] = {}
    for item in (value or "").split(";"):
        if not item.strip():
            continue
        key, sep, cron = item.partition("=")
        if not sep or len(cron.split()) != _CRON_FIELDS:
            raise ValueError(f"expected job-name=<5-field cron>, got {item.strip()!r}")
        out[key.strip()] = " ".join(cron.split())
    return out


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    # Slack
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = "https://slack.com/api/"

    # Data
    database_url: str = "sqlite:///ecombot.db"
    bot_timezone: str = "Asia/Shanghai"
    bot_locale: Literal["en", "zh"] = "en"
    channels_file: Path | None = None
    header_aliases_file: Path | None = None

    # Where things are posted (Slack channel ids)
    reports_channel: str | None = None
    ops_channel: str | None = None
    supply_channel: str | None = None
    crisis_channel: str | None = None
    cs_channel: str | None = None
    approvals_channel: str | None = None

    # Who may do what
    finance_approvers: CommaList = ()
    ops_approvers: CommaList = ()
    crisis_group: str | None = None
    ingest_token: str | None = None

    # Business rules
    roi_floor: Decimal = Decimal(2)
    roi_floors: Annotated[dict[str, Decimal], NoDecode] = Field(default_factory=dict)
    roi_guard_days: int = Field(default=3, ge=1, le=90)
    roi_guard_webhook_url: str | None = None
    contingency_share: Decimal = Field(default=Decimal("0.20"), gt=0, lt=1)
    budget_request_ttl_hours: int = Field(default=48, ge=1)
    stale_data_hours: int = Field(default=36, ge=1)
    job_schedules: Annotated[dict[str, str], NoDecode] = Field(default_factory=dict)

    @field_validator("finance_approvers", "ops_approvers", mode="before")
    @classmethod
    def _v_list(cls, value: Any) -> tuple[str, ...]:
        return _split(value)

    @field_validator("roi_floors", mode="before")
    @classmethod
    def _v_floors(cls, value: Any) -> dict[str, Decimal]:
        return _ratio_map(value)

    @field_validator("roi_floor", mode="before")
    @classmethod
    def _v_floor(cls, value: Any) -> Decimal:
        return _ratio(value)

    @field_validator("job_schedules", mode="before")
    @classmethod
    def _v_schedules(cls, value: Any) -> dict[str, str]:
        return _schedule_map(value)

    @field_validator("bot_timezone")
    @classmethod
    def _v_tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone (e.g. Asia/Shanghai)") from None
        return value

    @field_validator("database_url")
    @classmethod
    def _v_db(cls, value: str) -> str:
        try:
            make_url(value)
        except ArgumentError:
            raise ValueError(
                f"{_redact(value)!r} is not a SQLAlchemy URL "
                "(e.g. sqlite:///ecombot.db, postgresql+psycopg://user@host/db, mysql+pymysql://root@host/db)"
            ) from None
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _v_api_url(cls, value: str) -> str:
        if not re.match(r"^https?://", value):
            raise ValueError(f"{value!r} must start with http:// or https://")
        return value if value.endswith("/") else value + "/"

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.bot_timezone)

    def floor_for(self, channel: str) -> Decimal:
        return self.roi_floors.get(channel, self.roi_floor)

    def redacted(self) -> dict[str, Any]:
        """Settings safe to log: secrets masked, passwords cut from the URL."""
        out: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if any(word in name for word in ("token", "secret")) and value:
                value = "***"
            elif name == "database_url":
                value = _redact(value)
            out[name] = value
        return out


def _redact(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return re.sub(r"://[^@/]*@", "://***@", url)


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
