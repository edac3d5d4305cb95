"""Topics of negative reviews and their pre-approved responses (SPEC §7), as data a team can edit.

    ts = load_topics(None)                       # the shipped metrics/sentiment_topics.toml
    ts = load_topics(Path("our_topics.toml"))    # SENTIMENT_TOPICS_FILE: replaces the shipped set
    ts.match("过敏了，快递也慢")                  # ("safety", "logistics")
    ts.reply("logistics", "zh")                  # the pre-approved response to paste

The file is a list of `[[topic]]` entries in priority order: a review's primary topic is the first
entry it mentions, so `safety` comes first (a safety complaint is Level Ⅰ whatever else it says).
`other` is the fallback for a negative review that mentions none; it needs no keywords but must
have its response. A bad file raises `TopicFileError` naming the file and the entry.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

SHIPPED = Path(__file__).with_name("sentiment_topics.toml")
LOCALES = ("en", "zh")
REQUIRED = ("safety", "other")
FALLBACK = "other"
_NAME = re.compile(r"[a-z][a-z0-9_-]{0,31}")


class TopicFileError(ValueError):
    """The topic file is unreadable or an entry is wrong; the message names the file and the entry."""


@dataclass(frozen=True)
class Topic:
    name: str
    label: dict[str, str]
    reply: dict[str, str]
    keywords: tuple[str, ...]  # Chinese and English, lower-cased
    exclude: tuple[str, ...]  # phrases that do not count ("不贵" is not a price complaint)
    pattern: re.Pattern[str] | None


@dataclass(frozen=True)
class TopicSet:
    topics: tuple[Topic, ...]
    source: Path

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.topics)

    def get(self, name: str | None) -> Topic:
        """The topic of that name; unknown names and None fall back to `other`."""
        for t in self.topics:
            if t.name == name:
                return t
        return next(t for t in self.topics if t.name == FALLBACK)

    def match(self, text: str) -> tuple[str, ...]:
        """Every topic the text mentions, in the file's (priority) order."""
        low = text.lower()
        found = []
        for t in self.topics:
            if t.pattern is None:
                continue
            probe = low
            for phrase in t.exclude:
                probe = probe.replace(phrase, " ")
            if t.pattern.search(probe):
                found.append(t.name)
        return tuple(found)

    def label(self, name: str | None, locale: str) -> str:
        return _in(self.get(name).label, locale)

    def reply(self, name: str | None, locale: str) -> str:
        return _in(self.get(name).reply, locale)


def _in(texts: dict[str, str], locale: str) -> str:
    return texts.get(locale) or texts["en"]


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"{what} must be a list of non-empty strings")
    return tuple(v.strip().lower() for v in value)


def _texts(entry: dict[str, Any], key: str) -> dict[str, str]:
    value = entry.get(key)
    if not isinstance(value, dict):
        raise ValueError(f"{key} must be a table with en and zh")
    out = {}
    for locale in LOCALES:
        text = value.get(locale)
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"{key}.{locale} is missing or empty")
        out[locale] = text.strip()
    return out


def _topic(entry: Any) -> Topic:
    if not isinstance(entry, dict):
        raise ValueError("must be a table")
    unknown = set(entry) - {"name", "label", "reply", "keywords", "exclude"}
    if unknown:
        raise ValueError(f"unknown key {sorted(unknown)[0]!r}")
    kw = entry.get("keywords", {})
    if not isinstance(kw, dict) or set(kw) - set(LOCALES):
        raise ValueError("keywords must be a table with zh and en lists")
    keywords = tuple(w for locale in ("zh", "en") for w in _strings(kw.get(locale, []), f"keywords.{locale}"))
    name = entry["name"]
    if not keywords and name != FALLBACK:
        raise ValueError("needs at least one keyword (keywords.zh or keywords.en)")
    exclude = _strings(entry.get("exclude", []), "exclude")
    pattern = re.compile("|".join(re.escape(w) for w in sorted(keywords, key=len, reverse=True))) if keywords \
        else None
    return Topic(name, _texts(entry, "label"), _texts(entry, "reply"), keywords, exclude, pattern)


def parse_topics(data: dict[str, Any], source: Path) -> TopicSet:
    entries = data.get("topic")
    if not isinstance(entries, list) or not entries:
        raise TopicFileError(f"{source}: no [[topic]] entries")
    topics: list[Topic] = []
    for i, entry in enumerate(entries, start=1):
        name = entry.get("name") if isinstance(entry, dict) else None
        where = f"{source}: topic #{i}" + (f" ({name!r})" if isinstance(name, str) else "")
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise TopicFileError(f"{where}: name must be lower-case letters, digits, - or _ (e.g. logistics)")
        if name in (t.name for t in topics):
            raise TopicFileError(f"{where}: the name {name!r} is used twice")
        try:
            topics.append(_topic(entry))
        except ValueError as exc:
            raise TopicFileError(f"{where}: {exc}") from None
    missing = [n for n in REQUIRED if n not in (t.name for t in topics)]
    if missing:
        raise TopicFileError(f"{source}: topic {missing[0]!r} is missing (safety sets Level Ⅰ; other is the "
                             "fallback response)")
    return TopicSet(tuple(topics), source)


@lru_cache(maxsize=8)
def load_topics(path: Path | None = None) -> TopicSet:
    """The topic set of `path`, or the shipped one; parsed once per path."""
    source = path or SHIPPED
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise TopicFileError(f"{source}: cannot read it ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise TopicFileError(f"{source}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise TopicFileError(f"{source}: not valid TOML ({exc})") from None
    return parse_topics(data, source)


def default_topics() -> TopicSet:
    return load_topics(None)
