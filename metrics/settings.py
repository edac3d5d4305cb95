"""The typed settings object (SPEC §9): every variable the bot reads, validated field by field.

    settings = bot.config.load_settings()   # the composition root reads the environment and `.env`
    settings.tz                              # ZoneInfo of BOT_TIMEZONE
    settings.sentiment_limits                # metrics read typed values, never the environment

The type lives in the data layer so that metrics, handlers and jobs can take it as a parameter;
only `bot/config.py` instantiates it from the environment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from metrics.sentiment_topics import TopicSet, load_topics

if TYPE_CHECKING:
    from metrics.sentiment import Model

CommaList = Annotated[tuple[str, ...], NoDecode]


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


def _pairs(value: Any, what: str) -> dict[str, str]:
    """`a=1;b=2` (or `,` between items) → {"a": "1", "b": "2"}."""
    if isinstance(value, dict):
        return {str(k).strip(): str(v).strip() for k, v in value.items()}
    out: dict[str, str] = {}
    for item in re.split(r"[;,]", value or ""):
        if item.strip():
            key, sep, raw = item.partition("=")
            if not sep or not key.strip():
                raise ValueError(f"expected {what}, got {item.strip()!r}")
            out[key.strip()] = raw.strip()
    return out


def _grace_map(value: Any) -> dict[str, float]:
    """`daily-report=90;roi-guard=15` → minutes per job name (unknown names are checked by the job plan)."""
    out: dict[str, float] = {}
    for name, raw in _pairs(value, "job-name=minutes").items():
        try:
            minutes = float(raw)
        except ValueError:
            raise ValueError(f"{name}={raw!r} is not a number of minutes") from None
        if not 0 <= minutes <= 7 * 24 * 60:
            raise ValueError(f"{name}={raw!r} must be between 0 and 10080 minutes")
        out[name] = minutes
    return out


_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def _targets_map(value: Any) -> dict[str, Decimal]:
    """`2026-11=5000000;2026-12=6,000,000` → {"2026-11": Decimal("5000000"), …}; `;` between months."""
    if isinstance(value, dict):
        return {str(k): Decimal(str(v)) for k, v in value.items()}
    out: dict[str, Decimal] = {}
    for item in (value or "").split(";"):
        if not item.strip():
            continue
        key, sep, raw = item.partition("=")
        key = key.strip()
        try:
            amount = Decimal(raw.strip().replace(",", ""))
        except InvalidOperation:
            amount = Decimal("NaN")
        if not sep or not _MONTH.fullmatch(key) or not amount.is_finite() or amount <= 0:
            raise ValueError(f"{item.strip()!r} is not YYYY-MM=amount (a positive amount)")
        out[key] = amount
    return out


@dataclass(frozen=True)
class CampaignWindow:
    name: str
    start: date
    end: date  # inclusive


def _campaign_windows(value: Any) -> tuple[CampaignWindow, ...]:
    """`双11=2026-11-01..2026-11-11;618=2026-06-01..2026-06-18` (a single date is a one-day window)."""
    if isinstance(value, tuple | list):
        return tuple(value)
    out: list[CampaignWindow] = []
    for item in (value or "").split(";"):
        if not item.strip():
            continue
        name, sep, span = item.partition("=")
        first, _, last = span.strip().partition("..")
        try:
            if not sep or not name.strip():
                raise ValueError
            start = date.fromisoformat(first.strip())
            end = date.fromisoformat(last.strip()) if last else start
        except ValueError:
            raise ValueError(f"{item.strip()!r} is not name=YYYY-MM-DD..YYYY-MM-DD") from None
        if end < start:
            raise ValueError(f"{item.strip()!r} ends before it starts")
        out.append(CampaignWindow(name.strip(), start, end))
    return tuple(out)


ALERT_KINDS = ("stock", "incident", "roi", "campaign", "stale")
_SLACK_ID = re.compile(r"[UWS][A-Z0-9]{2,}")


def _responders(value: Any) -> dict[str, tuple[str, ...]]:
    """`stock=U1,S2;incident=U3` → {"stock": ("U1", "S2"), "incident": ("U3",)}; `;` between kinds."""
    if isinstance(value, dict):
        return {str(k): tuple(v) for k, v in value.items()}
    out: dict[str, tuple[str, ...]] = {}
    for item in (value or "").split(";"):
        if not item.strip():
            continue
        kind, sep, ids = item.partition("=")
        kind = kind.strip()
        if not sep or kind not in ALERT_KINDS:
            raise ValueError(f"{item.strip()!r}: expected KIND=ID,ID with KIND one of {', '.join(ALERT_KINDS)}")
        entries = _split(ids)
        bad = [e for e in entries if not _SLACK_ID.fullmatch(e)]
        if bad:
            raise ValueError(f"{kind}: {bad[0]!r} is not a Slack user (U…/W…) or user group (S…) id")
        out[kind] = entries
    return out


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

    @field_validator("alert_responders", mode="before")
    @classmethod
    def _v_responders(cls, value: Any) -> dict[str, tuple[str, ...]]:
        return _responders(value)

    @field_validator("job_grace_minutes", mode="before")
    @classmethod
    def _v_grace(cls, value: Any) -> dict[str, float]:
        return _grace_map(value)

    @field_validator("monthly_gmv_targets", mode="before")
    @classmethod
    def _v_targets(cls, value: Any) -> dict[str, Decimal]:
        return _targets_map(value)

    @field_validator("campaign_windows", mode="before")
    @classmethod
    def _v_campaigns(cls, value: Any) -> tuple[CampaignWindow, ...]:
        return _campaign_windows(value)

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
        if not _is_db_url(value):
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
                value = _redact(value)
            out[name] = value
        return out


# SQLAlchemy's own URL grammar (sqlalchemy.engine.url._parse_url), checked here rather than by
# make_url: importing SQLAlchemy costs 0.3 s, a third of `ecombot sentiment classify` on 10k rows,
# which never opens the database. tests/test_config.py holds the two to the same verdicts.
_DB_URL = re.compile(
    r"(?P<name>[\w+]+)://(?:(?P<username>[^:/]*)(?::(?P<password>[^@]*))?@)?"
    r"(?:(?:\[[^/?]+\]|[^/:?]+)?(?::(?P<port>[^/?]*))?)?"
)


def _is_db_url(url: str) -> bool:
    m = _DB_URL.match(url)
    if m is None:
        return False
    try:
        if m["port"] is not None:  # present, even empty, it must be a number, as make_url reads it
            int(m["port"])
    except ValueError:
        return False
    return True


def _redact(url: str) -> str:
    m = _DB_URL.match(url)
    if m is None or m["password"] is None:
        return url
    return url[: m.start("password")] + "***" + url[m.end("password") :]
