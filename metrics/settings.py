"""The typed settings object (SPEC §9): every variable the bot reads, validated field by field.

    settings = bot.config.load_settings()   # the composition root reads the environment and `.env`
    settings.tz                              # ZoneInfo of BOT_TIMEZONE
    settings.sentiment_limits                # metrics read typed values, never the environment

The type lives in the data layer so that metrics, handlers and jobs can take it as a parameter;
only `bot/config.py` instantiates it from the environment.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from metrics.sentiment_topics import TopicSet, load_topics
from metrics.settings_values import (
    CampaignWindow,
    grace_map,
    is_db_url,
    parse_campaign_windows,
    ratio,
    ratio_map,
    redact,
    responders,
    schedule_map,
    split,
    targets_map,
)

if TYPE_CHECKING:
    from metrics.sentiment import Model

CommaList = Annotated[tuple[str, ...], NoDecode]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True, env_ignore_empty=True
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
    budget_requesters: CommaList = ()  # who may ask for contingency budget; empty: anyone
    crisis_group: str | None = None
    # who may press an alert's buttons, per kind: `stock=U1,S2;incident=U3;roi=…;campaign=…`
    alert_responders: Annotated[dict[str, tuple[str, ...]], NoDecode] = Field(default_factory=dict)
    ingest_token: str | None = None

    # Business rules
    roi_basis: Literal["channel", "attributed"] = "channel"  # one basis for every comparison and floor
    roi_floor: Decimal = Decimal(2)
    roi_floors: Annotated[dict[str, Decimal], NoDecode] = Field(default_factory=dict)
    roi_guard_days: int = Field(default=3, ge=1, le=90)
    roi_guard_webhook_url: str | None = None
    contingency_share: Decimal = Field(default=Decimal("0.20"), gt=0, lt=1)
    budget_request_ttl_hours: int = Field(default=48, ge=1)
    stale_data_hours: int = Field(default=36, ge=1)
    job_schedules: Annotated[dict[str, str], NoDecode] = Field(default_factory=dict)
    job_grace_minutes: Annotated[dict[str, float], NoDecode] = Field(default_factory=dict)
    job_send_empty: CommaList = ()
    # a running job refreshes its heartbeat every third of this; a run silent for longer is dead
    job_lease_seconds: float = Field(default=60, ge=1, le=3600)
    monthly_gmv_targets: Annotated[dict[str, Decimal], NoDecode] = Field(default_factory=dict)
    campaign_windows: Annotated[tuple[CampaignWindow, ...], NoDecode] = ()
    campaign_uv_drop: Decimal = Field(default=Decimal("0.30"), gt=0, lt=1)
    campaign_cvr_drop: Decimal = Field(default=Decimal("0.25"), gt=0, lt=1)
    sentiment_l1_count: int = Field(default=20, ge=1)
    sentiment_l2_count: int = Field(default=5, ge=1)
    sentiment_l1_followers: int = Field(default=100_000, ge=1)
    sentiment_l2_followers: int = Field(default=10_000, ge=1)
    # TOML of review topics and their pre-approved responses; replaces metrics/sentiment_topics.toml
    sentiment_topics_file: Path | None = None
    # the review classifier fitted on the team's own rated reviews (`ecombot sentiment fit`); the shipped one if unset
    sentiment_model_file: Path | None = None

    # Operations
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"

    @field_validator("finance_approvers", "ops_approvers", "budget_requesters", "job_send_empty", mode="before")
    @classmethod
    def _v_list(cls, value: Any) -> tuple[str, ...]:
        return split(value)

    @field_validator("roi_floors", mode="before")
    @classmethod
    def _v_floors(cls, value: Any) -> dict[str, Decimal]:
        return ratio_map(value)

    @field_validator("roi_floor", mode="before")
    @classmethod
    def _v_floor(cls, value: Any) -> Decimal:
        return ratio(value)

    @field_validator("job_schedules", mode="before")
    @classmethod
    def _v_schedules(cls, value: Any) -> dict[str, str]:
        return schedule_map(value)

    @field_validator("alert_responders", mode="before")
    @classmethod
    def _v_responders(cls, value: Any) -> dict[str, tuple[str, ...]]:
        return responders(value)

    @field_validator("job_grace_minutes", mode="before")
    @classmethod
    def _v_grace(cls, value: Any) -> dict[str, float]:
        return grace_map(value)

    @field_validator("monthly_gmv_targets", mode="before")
    @classmethod
    def _v_targets(cls, value: Any) -> dict[str, Decimal]:
        return targets_map(value)

    @field_validator("campaign_windows", mode="before")
    @classmethod
    def _v_campaigns(cls, value: Any) -> tuple[CampaignWindow, ...]:
        return parse_campaign_windows(value)

    @field_validator("sentiment_l1_count", "sentiment_l2_count", "sentiment_l1_followers", "sentiment_l2_followers",
                     mode="before")
    @classmethod
    def _v_whole(cls, value: Any, info: ValidationInfo) -> Any:
        # int("１２") would pass: a full-width or other non-ASCII digit is refused by name instead
        if isinstance(value, str):
            text = value.strip()
            if not text:  # blank means "not set", as for every other variable
                return cls.model_fields[str(info.field_name)].default
            if not (text.isascii() and text.isdigit()):
                raise ValueError(f"expected a whole number ≥ 1, got {value!r}")
            return int(text)
        return value

    @field_validator("sentiment_topics_file")
    @classmethod
    def _v_topics(cls, value: Path | None) -> Path | None:
        # read at start-up so a bad entry stops the bot before it files a review under the wrong topic
        if value is not None:
            load_topics(value)  # TopicFileError is a ValueError naming the file and the entry
        return value

    @field_validator("sentiment_model_file")
    @classmethod
    def _v_model(cls, value: Path | None) -> Path | None:
        # read at start-up: a damaged file must stop the bot, not score every review 0.5
        if value is not None:
            from metrics.sentiment import load_model  # numpy: only when a file is set

            load_model(value)  # ModelFileError is a ValueError naming the file
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _v_level(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

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
        if not is_db_url(value):
            raise ValueError(
                f"{redact(value)!r} is not a SQLAlchemy URL "
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

    @property
    def job_lease(self) -> timedelta:
        return timedelta(seconds=self.job_lease_seconds)

    @property
    def sentiment_topics(self) -> TopicSet:
        """SENTIMENT_TOPICS_FILE's topics, or the shipped ones (parsed once per file)."""
        return load_topics(self.sentiment_topics_file)

    @property
    def sentiment_model(self) -> Model:
        """SENTIMENT_MODEL_FILE's classifier, or the shipped one (read once per file)."""
        from metrics.sentiment import load_model

        return load_model(self.sentiment_model_file)

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
                value = redact(value)
            out[name] = value
        return out


# SQLAlchemy's own URL grammar (sqlalchemy.engine.url._parse_url), checked here rather than by
