"""One catalogue: every key in both languages with the same placeholders; a key defined twice is refused."""

from __future__ import annotations

import string

import pytest

from handlers.views import texts


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_key_exists_in_english_and_chinese() -> None:
    en, zh = texts.TEXTS["en"], texts.TEXTS["zh"]
    assert sorted(set(en) - set(zh)) == [], "missing in zh"
    assert sorted(set(zh) - set(en)) == [], "missing in en"


def test_placeholders_agree_between_languages() -> None:
    en, zh = texts.TEXTS["en"], texts.TEXTS["zh"]
    differ = {k: (_placeholders(en[k]), _placeholders(zh[k])) for k in en
              if _placeholders(en[k]) != _placeholders(zh[k])}
    assert differ == {}


def test_a_key_defined_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="defined twice for 'en': roi.title"):
        texts._catalogue({"en": {"roi.title": "a"}}, {"en": {"roi.title": "b", "x": "y"}})


def test_unknown_locale_falls_back_to_english_and_unknown_key_fails_loudly() -> None:
    assert texts.t("help.title", "fr") == texts.TEXTS["en"]["help.title"]
    with pytest.raises(KeyError):
        texts.t("no.such.key", "en")
