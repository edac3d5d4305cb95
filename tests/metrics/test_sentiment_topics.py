"""Topics and pre-approved responses as data: the shipped file, an override, and bad files refused by entry."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from metrics.sentiment_topics import SHIPPED, TopicFileError, load_topics


def write_topics(path: Path, *, extra_kw: str = "包裹", reply_zh: str = "我们马上处理物流问题。") -> Path:
    """A small complete override: safety, logistics (with `extra_kw`) and other."""
    path.write_text(f'''
[[topic]]
name = "safety"
label = {{ en = "safety", zh = "安全" }}
keywords.zh = ["过敏"]
reply = {{ en = "Stop using it.", zh = "请停止使用。" }}

[[topic]]
name = "logistics"
label = {{ en = "delivery", zh = "配送" }}
keywords.zh = ["{extra_kw}"]
keywords.en = ["parcel"]
reply = {{ en = "We are on it.", zh = "{reply_zh}" }}

[[topic]]
name = "other"
label = {{ en = "other", zh = "其他" }}
reply = {{ en = "Sorry.", zh = "抱歉。" }}
''', encoding="utf-8")
    return path


def test_shipped_file_has_every_topic_with_both_languages() -> None:
    ts = load_topics(None)
    assert ts.names == ("safety", "counterfeit", "quality", "logistics", "price", "service", "other")
    for name in ts.names:
        for locale in ("en", "zh"):
            assert ts.label(name, locale) and len(ts.reply(name, locale)) > 20
    assert "4 小时" in ts.reply("logistics", "zh")
    assert tomllib.loads(SHIPPED.read_text(encoding="utf-8"))["topic"][0]["name"] == "safety"


def test_override_replaces_topics_and_templates(tmp_path: Path) -> None:
    path = write_topics(tmp_path / "t.toml")
    settings = load_settings(_env_file=None, sentiment_topics_file=path)
    ts = settings.sentiment_topics
    assert ts.names == ("safety", "logistics", "other")
    assert ts.match("包裹丢了，还过敏") == ("safety", "logistics")
    assert ts.match("快递太慢") == ()  # the shipped keywords are gone with the shipped file
    assert ts.reply("logistics", "zh") == "我们马上处理物流问题。"
    assert ts.reply("quality", "en") == "Sorry."  # a topic the file lacks falls back to other
    assert ts.label("logistics", "en") == "delivery"


def test_the_incident_card_shows_the_override_template(tmp_path: Path) -> None:
    from datetime import datetime

    from handlers.views.escalation import Deadlines, incident_message
    from metrics.escalation import Incident, Limits

    ts = load_topics(write_topics(tmp_path / "t.toml", reply_zh="自定义话术：我们马上处理。"))
    when = datetime(2026, 11, 20, 9, 0)
    inc = Incident(key="sku:S1", sku="S1", topic="logistics", count=6, max_followers=0, safety=False, level=2,
                   channels=("douyin",), samples=("包裹丢了",), first_at=when, last_at=when)
    msg = incident_message(key="sentiment:sku:S1", incident=inc, subject_text="S1", mention="",
                           deadlines=Deadlines("10:00", "13:00", "09:00"), channels="Douyin", limits=Limits(),
                           locale="zh", topics=ts)
    text = str(msg.blocks)
    assert "自定义话术：我们马上处理。" in text and "配送" in text


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ('[[topic]]\nname = "safety"\nlabel = { en = "s", zh = "s" }\nkeywords.zh = ["过敏"]\n'
         'reply = { en = "x" }\n', "topic #1 ('safety'): reply.zh is missing or empty"),
        ('[[topic]]\nname = "safety"\nlabel = { en = "s", zh = "s" }\nkeywords.zh = ["过敏"]\n'
         'reply = { en = "x", zh = "y" }\n[[topic]]\nname = "logistics"\nlabel = { en = "l", zh = "l" }\n'
         'reply = { en = "x", zh = "y" }\n', "topic #2 ('logistics'): needs at least one keyword"),
        ('[[topic]]\nname = "Safety!"\n', "topic #1 ('Safety!'): name must be lower-case"),
        ('[[topic]]\nname = "safety"\nlabel = { en = "s", zh = "s" }\nkeywords.zh = [1]\n'
         'reply = { en = "x", zh = "y" }\n', "topic #1 ('safety'): keywords.zh must be a list"),
        ('[[topic]]\nname = "safety"\nlabel = { en = "s", zh = "s" }\nkeywords.zh = ["过敏"]\n'
         'reply = { en = "x", zh = "y" }\n', "topic 'other' is missing"),
        ("[[topic]\n", "not valid TOML"),
    ],
)
def test_bad_override_is_refused_at_start_up_naming_the_entry(tmp_path: Path, body: str, needle: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(TopicFileError, match=None) as direct:
        load_topics(path)
    assert needle in str(direct.value) and str(path) in str(direct.value)
    with pytest.raises(ConfigError) as exc:
        load_settings(_env_file=None, sentiment_topics_file=path)
    lines = str(exc.value).splitlines()
    assert lines[0] == "invalid configuration:" and len(lines) == 2
    assert lines[1].strip().startswith(f"SENTIMENT_TOPICS_FILE: {path}: ") and needle in lines[1]


def test_missing_override_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SENTIMENT_TOPICS_FILE: .*nope.toml: cannot read it"):
        load_settings(_env_file=None, sentiment_topics_file=tmp_path / "nope.toml")


CHECK_SAMPLE = Path(__file__).resolve().parents[2] / "bench" / "data" / "topic_check.csv"


def test_shipped_keywords_on_the_sample_that_never_shaped_them() -> None:
    """bench/data/topic_check.csv was labelled by hand before the last keyword revision (its README):
    floors under what the README reports, so an edit that loses safety complaints or floods a topic
    with wrong matches fails here."""
    from bench.topic_figures import measure

    fig = measure(CHECK_SAMPLE, load_topics(None))
    assert fig.reviews == 120 and fig.labelled["safety"] >= 5
    assert fig.recall("safety") >= 0.8  # the topic that sets Level Ⅰ
    for name in ("safety", "counterfeit", "quality", "price"):
        assert fig.precision(name) >= 0.85, name
    for name in ("logistics", "service"):
        assert fig.precision(name) >= 0.65, name
    assert fig.primary / fig.reviews >= 0.75
