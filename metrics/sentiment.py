"""Review sentiment and topics (SPEC §7), with no model download: the weights ship in the package.

    score("质量很差，用了就过敏")            # 0.03 (1 = positive)
    is_negative("还不错", rating=1)          # True: a rating ≤ 2 overrides the text
    topic("快递太慢了，等了一周")             # "logistics" (the primary topic)
    topics("过敏了，快递也慢")                # ("safety", "logistics"): every topic it mentions

The classifier is logistic regression over naive-Bayes-scaled TF-IDF of character 1–4-grams
(NB-LR; none starts just after a negator, see NEGATORS), fitted by `bench/train_sentiment.py` on
the labelled reviews in shared/data and HowNet's sentiment words. Character
n-grams need no word segmenter, run at tens of thousands of reviews a second in plain Python, and
carry across product categories; the held-out-category figures and the threshold's choice are in
the README. The file (an .npz, ~3 MB, read in a few ms) stores, per n-gram, its weight and squared idf, so a score is
`bias + Σ weight / √(Σ idf²)` over the review's distinct known n-grams, summed with numpy —
sklearn is not needed here.

Topics and their pre-approved responses are data (`metrics/sentiment_topics.toml`, or the file
of SENTIMENT_TOPICS_FILE): see `metrics.sentiment_topics`.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from metrics.sentiment_topics import TopicSet, default_topics

MODEL_PATH = Path(__file__).parent / "models" / "sentiment_nblr.npz"
FORMAT = "ecombot-sentiment-nblr/2"  # 2: n-grams in a negation's scope are not features
NGRAMS = (1, 2, 3, 4)
# Only the first characters are read: a 100 KB paste says nothing a 2,000-character opening doesn't,
# and scoring time must not grow with it.
MAX_CHARS = 2000
# A score below this is negative; the stored, SQL-checked rule (metrics.escalation) reads it too.
# Scores are centred on the threshold chosen on held-out categories (the model file's `threshold`,
# see the README): the bias is shifted by its log-odds, so 0.5 stays the boundary everywhere.
NEGATIVE_BELOW = 0.5

_SPACE = re.compile(r"\s+")
_REPEAT = re.compile(r"(.)\1{2,}")


def normalise(text: str) -> str:
    # "好好好好好" and "好好" say the same; long runs would otherwise dominate the sum
    return _REPEAT.sub(r"\1\1", _SPACE.sub("", text[:MAX_CHARS].lower().replace("\x00", "")))


# "不起球", "没变形", "一点都不油": in a positive review the defect after a negator would otherwise
# count as a complaint ("起球" is among the strongest negative n-grams). So no n-gram starts within
# NEGATION_SCOPE characters after a negator; the n-grams that start at the negator ("不起球") carry
# the meaning. Measured on held-out categories, 1–3 characters (README).
NEGATORS = "不没无未别"
NEGATION_SCOPE = 3


def _starts(t: str) -> list[int]:
    """Where the n-grams of the normalised text start: everywhere but in a negation's scope."""
    muted = {j for i, ch in enumerate(t) if ch in NEGATORS for j in range(i + 1, i + 1 + NEGATION_SCOPE)}
    return [i for i in range(len(t)) if i not in muted]


def grams(text: str) -> set[str]:
    """The distinct character 1–4-grams of the normalised text (the model's features), but those
    starting in a negation's scope."""
    t = normalise(text)
    n = len(t)
    return {t[i : i + k] for i in _starts(t) for k in NGRAMS if i + k <= n}


# An n-gram is looked up as one 64-bit key: its characters' 16-bit codes side by side (a 1-gram is
# below 2¹⁶, a 2-gram below 2³², …). Characters outside the BMP (emoji) get CODE_OTHER, which no
# n-gram of the model contains, so they count for nothing — fitting drops such n-grams too.
CODE_OTHER = 0xFFFF
_NEGATOR_CODES = np.array([ord(c) for c in NEGATORS], dtype=np.uint64)
CHUNK = 4096


def _codes(text: str) -> npt.NDArray[np.uint64]:
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    codes[codes > CODE_OTHER] = CODE_OTHER
    return codes


def gram_keys(vocab: Sequence[str]) -> npt.NDArray[np.uint64]:
    """The 64-bit key of each n-gram (see CODE_OTHER)."""
    lengths = np.fromiter(map(len, vocab), dtype=np.int64, count=len(vocab))
    codes = _codes("".join(vocab))
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    keys = np.zeros(len(vocab), dtype=np.uint64)
    for j in range(int(lengths.max(initial=0))):
        has = lengths > j
        keys[has] = (keys[has] << np.uint64(16)) | codes[starts[has] + j]
    return keys


@dataclass(frozen=True)
class Model:
    bias: float  # already shifted by the threshold's log-odds: 0.5 is the boundary
    threshold: float  # the fitted model's probability chosen as the boundary (for the record)
    keys: npt.NDArray[np.uint64]  # sorted n-gram keys
    weight: npt.NDArray[np.float64]  # per key
    idf2: npt.NDArray[np.float64]  # per key: its squared idf, for the L2 norm
    version: str
    single: npt.NDArray[np.int64]  # character code → index of its 1-gram key, or -1

    def log_odds_many(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """bias + Σ weight / √(Σ idf²) over each text's distinct known n-grams; whole batches in numpy,
        because a Python loop over n-grams cannot score 10,000 reviews a second."""
        num, den = self.sums(texts)
        out: npt.NDArray[np.float64] = self.bias + np.divide(num, np.sqrt(den), out=np.zeros(len(texts)),
                                                             where=den > 0)
        return out

    def sums(self, texts: Sequence[str]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Σ weight and Σ idf² over each text's distinct known n-grams."""
        num, den = np.zeros(len(texts)), np.zeros(len(texts))
        for at in range(0, len(texts), CHUNK):
            part = texts[at : at + CHUNK]
            num[at : at + len(part)], den[at : at + len(part)] = self._sums(part)
        return num, den

    def _sums(self, texts: Sequence[str]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        codes = _codes("\x00".join(normalise(t) for t in texts) + "\x00")
        sep = codes == 0
        doc = np.concatenate([[0], np.cumsum(sep[:-1])]).astype(np.int64)
        seps = np.concatenate([[0], np.cumsum(sep)])
        n, size = len(codes), len(self.keys)
        negator = np.isin(codes, _NEGATOR_CODES)
        muted = np.zeros(n, dtype=bool)  # as grams(): within NEGATION_SCOPE after a negator of the same review
        for lag in range(1, NEGATION_SCOPE + 1):
            if n > lag:
                muted[lag:] |= negator[: n - lag] & (seps[lag:n] - seps[1 : n - lag + 1] == 0)
        hits = []
        key = np.zeros(n, dtype=np.uint64)
        for k in NGRAMS:
            m = n - k + 1
            if m <= 0:
                break
            key = (key[:m] << np.uint64(16)) | codes[k - 1 : k - 1 + m]
            if k == 1:  # single characters: a direct table, no search
                at = self.single[codes]
                found = (at >= 0) & ~muted
                hits.append(doc[found] * size + at[found])
                continue
            ok = (seps[k : k + m] - seps[:m] == 0) & ~muted[:m]  # no separator inside the window
            cand = key[ok]
            at = _positions(self.keys, cand)
            found = self.keys[at] == cand
            hits.append(doc[:m][ok][found] * size + at[found])
        pairs = np.concatenate(hits) if hits else np.zeros(0, dtype=np.int64)
        pairs.sort()  # binary features: each n-gram once per review
        pairs = pairs[np.concatenate([[True], pairs[1:] != pairs[:-1]])] if len(pairs) else pairs
        d, idx = pairs // size, pairs % size
        num = np.bincount(d, weights=self.weight[idx], minlength=len(texts))
        den = np.bincount(d, weights=self.idf2[idx], minlength=len(texts))
        return np.asarray(num, dtype=np.float64), np.asarray(den, dtype=np.float64)

    def scores(self, texts: Sequence[str]) -> list[float]:
        z = np.clip(self.log_odds_many(texts), -30, 30)
        return [float(v) for v in 1 / (1 + np.exp(-z))]

    def log_odds(self, text: str) -> float:
        return float(self.log_odds_many([text])[0])

    def score(self, text: str) -> float:
        return self.scores([text])[0]


def _positions(keys: npt.NDArray[np.uint64], wanted: npt.NDArray[np.uint64]) -> npt.NDArray[np.intp]:
    """Where each wanted key is, or would be, in the sorted keys (clipped to the last index)."""
    # searching in sorted order walks the keys' memory in order: 3–4× faster on 10,000 reviews
    # than random probes, the sort included
    order = np.argsort(wanted)
    at = np.empty(len(wanted), dtype=np.intp)
    at[order] = np.searchsorted(keys, wanted[order])
    return np.minimum(at, len(keys) - 1)


class ModelFileError(ValueError):
    """A model file that cannot be read or is not one this scorer can use; the message names the file."""


def read_model(path: Path) -> Model:
    """A model file: an .npz of sorted n-gram keys, their weights and squared idfs, and a JSON `meta`."""
    try:
        if not path.is_file():
            raise ModelFileError(f"{path}: cannot read it (no such file)")
        if not zipfile.is_zipfile(path):
            raise ModelFileError(f"{path}: not a model file (not an .npz archive; ecombot sentiment fit writes one)")
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"].reshape(-1)[0]))
            if not isinstance(meta, dict) or meta.get("format") != FORMAT:
                raise ModelFileError(f"{path}: not a {FORMAT} model file (ecombot sentiment fit writes one)")
            if (meta.get("negators"), meta.get("negation_scope")) != (NEGATORS, NEGATION_SCOPE):
                raise ModelFileError(f"{path}: fitted with another negation rule than this scorer's; fit it again")
            keys = z["keys"].astype(np.uint64)
            weight = z["weight"].astype(np.float64)
            idf2 = z["idf2"].astype(np.float64)
            threshold = float(meta["threshold"])
            raw_bias = float(meta["bias"])
            version = str(meta["version"])
    except ModelFileError:
        raise
    except OSError as exc:
        raise ModelFileError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    except (ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:
        raise ModelFileError(f"{path}: not a model file ({exc})") from None
    if not (len(keys) == len(weight) == len(idf2)) or not 0 < threshold < 1:
        raise ModelFileError(f"{path}: damaged (keys, weights and idfs differ in length, or no threshold)")
    if len(keys) > 1 and not bool(np.all(keys[1:] > keys[:-1])):
        raise ModelFileError(f"{path}: n-gram keys are not sorted")
    return Model(raw_bias - logit(threshold), threshold, keys, weight, idf2, version, single_index(keys))


def logit(p: float) -> float:
    """The log-odds of p: how far the fitted bias is shifted so that 0.5 is the boundary."""
    return math.log(p / (1 - p))


def single_index(keys: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64]:
    """Character code → the index of its 1-gram among the sorted keys, or -1 (Model.single)."""
    single = np.full(CODE_OTHER + 1, -1, dtype=np.int64)
    ones = np.flatnonzero(keys <= CODE_OTHER)
    single[keys[ones].astype(np.int64)] = ones
    single[0] = -1  # the separator between reviews
    return single


def write_model_arrays(path: Path, keys: npt.NDArray[np.uint64], weight: npt.NDArray[np.float64],
                       idf2: npt.NDArray[np.float64], meta: dict[str, object]) -> None:
    """A model file: sorted keys, float32 weights and squared idfs, and JSON meta (with `bias` as fitted,
    before centring on `threshold`, and `version`). Written with a fixed timestamp rather than by
    np.savez_compressed, so the same model is the same bytes."""
    full = {**meta, "format": FORMAT, "negators": NEGATORS, "negation_scope": NEGATION_SCOPE}
    arrays = {"keys": keys, "weight": weight.astype(np.float32), "idf2": idf2.astype(np.float32),
              "meta": np.array(json.dumps(full, ensure_ascii=False, sort_keys=True))}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, array in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(info, "w") as fh:
                np.lib.format.write_array(fh, np.ascontiguousarray(array), allow_pickle=False)
    # renamed into place: the bot reading SENTIMENT_MODEL_FILE never sees half a file
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(buf.getvalue())
    os.replace(tmp, path)


@lru_cache(maxsize=4)
def load_model(path: Path | None = None) -> Model:
    """The model of `path` (SENTIMENT_MODEL_FILE, written by `ecombot sentiment fit`), or the shipped one;
    read once per path."""
    return read_model(path or MODEL_PATH)


def model() -> Model:
    """The shipped model."""
    return load_model(None)


def log_odds(text: str) -> float:
    return model().log_odds(text)


def score(text: str) -> float:
    """Probability-like score in [0, 1]; 1 = positive."""
    return model().score(text)


def scores(texts: Iterable[str]) -> list[float]:
    """Scores of many texts at once (much faster than one by one)."""
    return model().scores(list(texts))


def is_negative(text: str, rating: int | None = None, sentiment: float | None = None) -> bool:
    """Ratings override text: ≤ 2 is negative, ≥ 4 is not; 3 or none → the text decides."""
    if rating is not None:
        if rating <= 2:
            return True
        if rating >= 4:
            return False
    return (score(text) if sentiment is None else sentiment) < NEGATIVE_BELOW


def topics(text: str, topic_set: TopicSet | None = None) -> tuple[str, ...]:
    """Every topic the review mentions, the primary one (highest in the file) first."""
    return (topic_set or default_topics()).match(text)


def topic(text: str, topic_set: TopicSet | None = None) -> str | None:
    """The primary topic: the first of the topic file that the review mentions (safety outranks all)."""
    found = topics(text, topic_set)
    return found[0] if found else None
