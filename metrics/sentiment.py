"""Review sentiment and topics (SPEC §7), with no model download: the weights ship in the package.

    score("质量很差，用了就过敏")            # 0.03 (1 = positive)
    is_negative("还不错", rating=1)          # True: a rating ≤ 2 overrides the text
    topic("快递太慢了，等了一周")             # "logistics" (the primary topic)
    topics("过敏了，快递也慢")                # ("safety", "logistics"): every topic it mentions

The classifier is logistic regression over naive-Bayes-scaled TF-IDF of character 1–4-grams
(NB-LR), fitted by `bench/train_sentiment.py` on the labelled reviews in shared/data. Character
n-grams need no word segmenter, run at tens of thousands of reviews a second in plain Python, and
carry across product categories; the held-out-category figures and the threshold's choice are in
the README. The file stores, per n-gram, its weight and squared idf, so a score is
`bias + Σ weight / √(Σ idf²)` over the review's distinct known n-grams — sklearn is not needed here.

Topics and their pre-approved responses are data (`metrics/sentiment_topics.toml`, or the file
of SENTIMENT_TOPICS_FILE): see `metrics.sentiment_topics`.
"""

from __future__ import annotations

import gzip
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat
from pathlib import Path

from metrics.sentiment_topics import TopicSet, default_topics

MODEL_PATH = Path(__file__).parent / "models" / "sentiment_nblr.json.gz"
FORMAT = "ecombot-sentiment-nblr/1"
NGRAMS = (1, 2, 3, 4)
# Only the first characters are read: a 100 KB paste says nothing a 2,000-character opening doesn't,
# and scoring time must not grow with it.
MAX_CHARS = 2000
# A score below this is negative. The stored, SQL-checked rule (metrics.escalation) reads it too;
# the value comes from the model file, chosen on held-out categories (see the README).
NEGATIVE_BELOW: float

_SPACE = re.compile(r"\s+")
_REPEAT = re.compile(r"(.)\1{2,}")


def normalise(text: str) -> str:
    # "好好好好好" and "好好" say the same; long runs would otherwise dominate the sum
    return _REPEAT.sub(r"\1\1", _SPACE.sub("", text[:MAX_CHARS].lower()))


def grams(text: str) -> set[str]:
    """The distinct character 1–4-grams of the normalised text (the model's features)."""
    t = normalise(text)
    n = len(t)
    return {t[i : i + k] for k in NGRAMS for i in range(n - k + 1)}


@dataclass(frozen=True)
class Model:
    bias: float
    threshold: float
    # n-gram → (weight, idf²); unknown n-grams count for nothing
    table: dict[str, tuple[float, float]]
    version: str

    def log_odds(self, text: str) -> float:
        table = self.table
        num = den = 0.0
        for hit in filter(None, map(table.get, grams(text), repeat(None))):
            num += hit[0]
            den += hit[1]
        return self.bias + (num / math.sqrt(den) if den else 0.0)

    def score(self, text: str) -> float:
        z = max(-30.0, min(30.0, self.log_odds(text)))
        return 1 / (1 + math.exp(-z))


def read_model(path: Path) -> Model:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    if data.get("format") != FORMAT:
        raise ValueError(f"{path}: not a {FORMAT} model file")
    vocab: list[str] = data["vocab"]
    table = {g: (float(w), float(q)) for g, w, q in zip(vocab, data["weight"], data["idf2"], strict=True)}
    return Model(float(data["bias"]), float(data["threshold"]), table, str(data["version"]))


@lru_cache(maxsize=1)
def model() -> Model:
    return read_model(MODEL_PATH)


def log_odds(text: str) -> float:
    return model().log_odds(text)


def score(text: str) -> float:
    """Probability-like score in [0, 1]; 1 = positive."""
    return model().score(text)


def scores(texts: Iterable[str]) -> list[float]:
    m = model()
    return [m.score(t) for t in texts]


def is_negative(text: str, rating: int | None = None, sentiment: float | None = None) -> bool:
    """Ratings override text: ≤ 2 is negative, ≥ 4 is not; 3 or none → the text decides."""
    if rating is not None:
        if rating <= 2:
            return True
        if rating >= 4:
            return False
    return (score(text) if sentiment is None else sentiment) < model().threshold


def topics(text: str, topic_set: TopicSet | None = None) -> tuple[str, ...]:
    """Every topic the review mentions, the primary one (highest in the file) first."""
    return (topic_set or default_topics()).match(text)


def topic(text: str, topic_set: TopicSet | None = None) -> str | None:
    """The primary topic: the first of the topic file that the review mentions (safety outranks all)."""
    found = topics(text, topic_set)
    return found[0] if found else None


def __getattr__(name: str) -> float:
    # NEGATIVE_BELOW is read from the model file on first use, not at import
    if name == "NEGATIVE_BELOW":
        return model().threshold
    raise AttributeError(name)
