"""Review sentiment and topic (SPEC §7), with no model download: the weights ship in the package.

    score("质量很差，用了就过敏")            # 0.02 (1 = positive)
    is_negative("还不错", rating=1)          # True: a rating ≤ 2 overrides the text
    topic("快递太慢了，等了一周")             # "logistics"

The classifier is a binary multinomial naive Bayes over character 1–3-grams, trained by
`bench/train_sentiment.py` on the labelled reviews in shared/data; n-grams of characters need
no word segmenter and carry across product categories (see the README for held-out figures).
"""

from __future__ import annotations

import gzip
import json
import math
import re
from functools import lru_cache
from pathlib import Path

MODEL_PATH = Path(__file__).parent / "models" / "sentiment_nb.json.gz"
NGRAMS = (1, 2, 3)
NEGATIVE_BELOW = 0.5

_SPACE = re.compile(r"\s+")
_REPEAT = re.compile(r"(.)\1{2,}")


def normalise(text: str) -> str:
    # "好好好好好" and "好好" say the same; long runs would otherwise dominate the sum
    return _REPEAT.sub(r"\1\1", _SPACE.sub("", text.lower()))


def features(text: str) -> set[str]:
    t = normalise(text)
    return {t[i : i + n] for n in NGRAMS for i in range(len(t) - n + 1)}


@lru_cache(maxsize=1)
def _model() -> tuple[dict[str, float], float]:
    with gzip.open(MODEL_PATH, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    return {k: float(v) for k, v in data["weights"].items()}, float(data["bias"])


def log_odds(text: str) -> float:
    weights, bias = _model()
    return bias + sum(weights.get(f, 0.0) for f in features(text))


def score(text: str) -> float:
    """Probability-like score in [0, 1]; 1 = positive."""
    z = max(-30.0, min(30.0, log_odds(text) / 4))  # /4 tempers naive Bayes' overconfidence
    return 1 / (1 + math.exp(-z))


def is_negative(text: str, rating: int | None = None, sentiment: float | None = None) -> bool:
    """Ratings override text: ≤ 2 is negative, ≥ 4 is not; 3 or none → the text decides."""
    if rating is not None:
        if rating <= 2:
            return True
        if rating >= 4:
            return False
    return (score(text) if sentiment is None else sentiment) < NEGATIVE_BELOW


# Topics of the standard response templates; the first matching topic in this order wins, so
# safety outranks everything (an allergy is an incident even if the parcel was also late).
TOPIC_KEYWORDS: dict[str, tuple[str, ...]] = {
    "safety": ("过敏", "红肿", "刺痛", "烂脸", "受伤", "划伤", "烫伤", "中毒", "拉肚子", "腹泻", "发炎", "起疹", "爆炸",
               "漏电", "起火", "异物", "allerg", "injur", "rash", "burn"),
    "counterfeit": ("假货", "假的", "盗版", "仿品", "高仿", "与描述不符", "和描述不符", "不符", "货不对板", "以次充好",
                    "不是正品", "fake", "counterfeit", "not as described"),
    "quality": ("质量", "做工", "破损", "坏了", "开裂", "掉色", "起球", "异味", "难用", "失效", "次品", "瑕疵",
                "quality", "broken", "defect"),
    "logistics": ("物流", "快递", "发货", "送货", "配送", "慢", "丢件", "包装破", "没收到",
                  "delivery", "shipping", "late"),
    "price": ("价格", "贵", "降价", "差价", "不值", "便宜", "优惠", "price", "expensive", "overpriced"),
    "service": ("客服", "态度", "售后", "退货", "退款", "不理", "不回复", "推诿", "service", "refund", "support"),
}


def topic(text: str) -> str | None:
    low = text.lower()
    for name, words in TOPIC_KEYWORDS.items():
        if any(w in low for w in words):
            return name
    return None
