"""Sales channels and their aliases (SPEC §2), extendable by a TOML file without code changes.

    registry = ChannelRegistry.load(settings.channels_file)
    registry.resolve("抖音").slug        # "douyin"
    registry.resolve("douyn")            # UnknownChannel(suggestion="douyin")
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Channel:
    slug: str
    en: str
    zh: str
    aliases: tuple[str, ...] = ()

    def display(self, locale: str = "en") -> str:
        return self.zh if locale == "zh" else self.en


DEFAULT_CHANNELS: tuple[Channel, ...] = (
    Channel("douyin", "Douyin", "抖音", ("dy", "抖音", "抖店", "抖音商城", "qianchuan", "千川")),
    Channel("tmall", "Tmall", "天猫", ("tm", "天猫", "taobao", "淘宝", "tb")),
    Channel("jd", "JD", "京东", ("京东", "jingdong")),
    Channel("pdd", "Pinduoduo", "拼多多", ("拼多多", "pinduoduo")),
    Channel("xiaohongshu", "Xiaohongshu", "小红书", ("xhs", "小红书", "red", "rednote")),
    Channel("wechat", "WeChat Mini Program", "微信小程序", ("微信", "私域", "miniprogram", "weixin")),
)


class UnknownChannel(ValueError):
    def __init__(self, name: str, suggestion: str | None, known: tuple[str, ...]) -> None:
        self.name = name
        self.suggestion = suggestion
        self.known = known
        hint = f" Did you mean `{suggestion}`?" if suggestion else ""
        super().__init__(f"Unknown channel `{name}`.{hint} Known channels: {', '.join(known)}.")


@dataclass(frozen=True)
class ChannelRegistry:
    channels: tuple[Channel, ...] = DEFAULT_CHANNELS
    _index: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for ch in self.channels:
            for name in (ch.slug, ch.en, ch.zh, *ch.aliases):
                self._index.setdefault(_norm(name), ch.slug)

    @classmethod
    def load(cls, path: Path | None = None) -> ChannelRegistry:
        """Defaults plus `[[channel]]` entries of a TOML file (slug, en, zh, aliases)."""
        if path is None:
            return cls()
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        extra = tuple(
            Channel(
                slug=str(item["slug"]).lower(),
                en=str(item.get("en", item["slug"])),
                zh=str(item.get("zh", item.get("en", item["slug"]))),
                aliases=tuple(str(a) for a in item.get("aliases", ())),
            )
            for item in data.get("channel", [])
        )
        known = {c.slug for c in extra}
        return cls(tuple(c for c in DEFAULT_CHANNELS if c.slug not in known) + extra)

    @property
    def slugs(self) -> tuple[str, ...]:
        return tuple(c.slug for c in self.channels)

    def __iter__(self) -> Iterator[Channel]:
        return iter(self.channels)

    def get(self, slug: str) -> Channel:
        for ch in self.channels:
            if ch.slug == slug:
                return ch
        raise UnknownChannel(slug, None, self.slugs)

    def resolve(self, name: str) -> Channel:
        slug = self._index.get(_norm(name))
        if slug is None:
            raise UnknownChannel(name, self.suggest(name), self.slugs)
        return self.get(slug)

    def suggest(self, name: str) -> str | None:
        match = difflib.get_close_matches(_norm(name), list(self._index), n=1, cutoff=0.6)
        return self._index[match[0]] if match else None


def _norm(name: str) -> str:
    return name.strip().lower().lstrip("#")
