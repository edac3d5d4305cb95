from __future__ import annotations

from decimal import Decimal

import pytest
from click.testing import CliRunner
from sqlalchemy.exc import ArgumentError

from bot.cli import main
from bot.config import ConfigError, load_settings


def test_defaults() -> None:
    s = load_settings(_env_file=None)
    assert s.bot_timezone == "Asia/Shanghai"
    assert s.database_url == "sqlite:///ecombot.db"
    assert s.floor_for("douyin") == Decimal(2)


def test_lists_and_floors_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FINANCE_APPROVERS", "U1, U2,,")
    monkeypatch.setenv("ROI_FLOORS", "douyin=2.5, tmall=1:3")
    monkeypatch.setenv("JOB_SCHEDULES", "daily-report=0 9 * * *; stock-alerts=30 8,14 * * *")
    s = load_settings(_env_file=None)
    assert s.finance_approvers == ("U1", "U2")
    assert s.floor_for("douyin") == Decimal("2.5")
    assert s.floor_for("tmall") == Decimal(3)
    assert s.floor_for("jd") == Decimal(2)
    assert s.job_schedules == {"daily-report": "0 9 * * *", "stock-alerts": "30 8,14 * * *"}


@pytest.mark.parametrize(
    ("var", "value", "needle"),
    [
        ("BOT_TIMEZONE", "Mars/Base", "BOT_TIMEZONE: 'Mars/Base' is not an IANA time zone"),
        ("DATABASE_URL", "not a url", "DATABASE_URL: 'not a url' is not a SQLAlchemy URL"),
        ("BOT_LOCALE", "fr", "BOT_LOCALE"),
        ("ROI_FLOOR", "-1", "ROI_FLOOR"),
        ("ROI_FLOORS", "douyin", "ROI_FLOORS: expected name=value"),
        ("JOB_SCHEDULES", "daily-report=9am", "JOB_SCHEDULES: expected job-name=<5-field cron>"),
        ("SLACK_API_URL", "ftp://x", "SLACK_API_URL"),
    ],
)
def test_bad_values_are_named(monkeypatch: pytest.MonkeyPatch, var: str, value: str, needle: str) -> None:
    monkeypatch.setenv(var, value)
    with pytest.raises(ConfigError) as info:
        load_settings(_env_file=None)
    assert needle in str(info.value)


def test_cli_reports_bad_config_without_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TIMEZONE", "Nowhere/Land")
    result = CliRunner().invoke(main, ["db", "upgrade"])
    assert result.exit_code != 0
    assert "BOT_TIMEZONE" in result.output
    assert "Traceback" not in result.output


def test_db_upgrade_on_a_fresh_file(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path}/fresh.db"
    result = CliRunner().invoke(main, ["--database-url", url, "db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "schema at revision" in result.output


def test_redacted_hides_secrets() -> None:
    s = load_settings(
        _env_file=None, slack_bot_token="xoxb-secret", database_url="postgresql://u:pw@h/db"
    )
    red = s.redacted()
    assert red["slack_bot_token"] == "***"
    assert "pw" not in red["database_url"]


def test_alert_responders_by_kind_and_bad_lines_named() -> None:
    s = load_settings(_env_file=None, alert_responders="stock=U0A, S0B;incident=U0C")
    assert s.alert_responders == {"stock": ("U0A", "S0B"), "incident": ("U0C",)}
    with pytest.raises(ConfigError, match="ALERT_RESPONDERS: 'stok=U0A': expected KIND=ID"):
        load_settings(_env_file=None, alert_responders="stok=U0A")
    with pytest.raises(ConfigError, match="ALERT_RESPONDERS: stock: '@bob' is not a Slack user"):
        load_settings(_env_file=None, alert_responders="stock=@bob")


@pytest.mark.parametrize("url", [
    "sqlite:///ecombot.db", "sqlite://", "sqlite:////abs/path.db", "postgresql+psycopg://u:p@h:5432/db",
    "mysql+pymysql://root@127.0.0.1:3306/test?charset=utf8mb4", "postgresql://[::1]:5432/db",
    "postgresql://u@h: 5432 /db", "postgresql://u@h:+5/db", "postgresql://u@h:port/db", "postgresql://u@h:/db",
    "not a url", "://h/db", "sqlite:/x.db", "", "postgres ql://h/db", "pg://u:p:w@h/db", "pg://u@h:5_432/db",
])
def test_database_url_check_agrees_with_sqlalchemy(url: str) -> None:
    # settings check the URL without importing SQLAlchemy; the verdict must be make_url's
    from sqlalchemy.engine import make_url

    try:
        make_url(url)
        sqlalchemy_accepts = True
    except (ArgumentError, ValueError):
        sqlalchemy_accepts = False
    try:
        load_settings(_env_file=None, database_url=url)
        we_accept = True
    except ConfigError:
        we_accept = False
    assert we_accept == sqlalchemy_accepts


@pytest.mark.parametrize("url", ["postgresql://u:pw@h/db", "mysql+pymysql://root:p%40ss@h:3306/db?charset=utf8mb4",
                                 "postgresql://u:@h/db", "postgresql://u@h/db", "sqlite:///x.db"])
def test_redacted_url_is_sqlalchemys(url: str) -> None:
    from sqlalchemy.engine import make_url

    red = load_settings(_env_file=None, database_url=url).redacted()["database_url"]
    assert red == make_url(url).render_as_string(hide_password=True)
