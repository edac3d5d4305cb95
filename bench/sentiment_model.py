"""Fitting the review classifier (NB-LR over character 1–4-grams) and measuring it on held-out categories.

    data = load_reviews(DATA_FILES)
    fold = fit(data, data.categories != "酒店")        # fit on every category but hotels
    p = fold.predict(data, data.categories == "酒店")  # scores of the hotel reviews, 1 = positive
    write_model(fold, data, threshold=0.6, version="2")  # the file metrics.sentiment reads

Features are `metrics.sentiment.grams` (so fitting and scoring cannot drift apart: no n-gram starts
in the three characters after a negator, so "不起球" is not also "起球"), kept when they
occur in ≥ 2 training reviews and ≥ 2 training categories: an n-gram seen in one category only
("酒店", "洗发水") is that category's vocabulary, not sentiment, and fitting on it teaches the model
to recognise categories. Binary TF-IDF, L2-normalised, scaled by the naive-Bayes log-count ratio,
then L2-regularised logistic regression (liblinear, deterministic). Needs scikit-learn (dev).

Beside the reviews, every fold is fitted on HowNet's sentiment words (LEXICON, 16,091 words), each
as a one-word review with its polarity. The reviews teach which n-grams carry sentiment in the
categories they come from; the lexicon gives their words a polarity that holds in any category,
and keeps a sentiment word that only one training category uses (the lexicon counts as a category
for MIN_CATEGORIES; a word no review uses is still dropped by MIN_DF). Measured on held-out
categories it lifts accuracy by ~0.004 pooled (README), and moved every product category the
same way, which no other change did.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize

from metrics.sentiment import CODE_OTHER, MODEL_PATH, gram_keys, grams, normalise, write_model_arrays

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT.parent / "shared" / "data"
DATA_FILES = (DATA_DIR / "reviews_dev.csv", DATA_DIR / "reviews_more.csv")
# HowNet's sentiment words (see bench/data/README.md), each fitted on as a one-word review
LEXICON = ROOT / "bench" / "data" / "lexicon_hownet.csv"
C = 4.0  # inverse L2 strength; 1–10 measured within 0.005 on held-out categories (README)
MIN_DF = 2
MIN_CATEGORIES = 2
ALPHA = 1.0  # smoothing of the log-count ratio
MISS_COST = 2.0  # a missed complaint costs as much as two false alarms (threshold rule)

Mask = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Reviews:
    texts: list[str]
    labels: npt.NDArray[np.int_]  # 1 positive, 0 negative
    categories: npt.NDArray[np.str_]
    X: sp.csr_matrix  # binary review × n-gram matrix over every n-gram of every review
    vocab: list[str]
    # the sentiment lexicon's words as one-word training documents (LEXICON), same columns as X;
    # not reviews: fitted on with every fold, never scored or counted
    lexicon_X: sp.csr_matrix
    lexicon_labels: npt.NDArray[np.int_]

    @cached_property
    def plain(self) -> tuple[sp.csr_matrix, list[str]]:
        """The reviews × plain_grams matrix (the old model's features) and its vocabulary."""
        vec = CountVectorizer(analyzer=plain_grams, binary=True, dtype=np.float64)
        X = sp.csr_matrix(vec.fit_transform(self.texts))
        X.has_sorted_indices = False
        X.sort_indices()
        return X, [str(g) for g in vec.get_feature_names_out()]


def _read(files: Sequence[Path]) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for f in files:
        with open(f, encoding="utf-8-sig", newline="") as fh:
            rows += list(csv.DictReader(fh))
    return rows


def load_reviews(files: Sequence[Path], lexicon: Path | None = LEXICON) -> Reviews:
    rows = _read(files)
    words = _read([lexicon]) if lexicon else []
    texts = [r["text"] for r in rows]
    vec = CountVectorizer(analyzer=grams, binary=True, dtype=np.float64)
    X = sp.csr_matrix(vec.fit_transform(texts + [w["text"] for w in words]))
    # grams() is a set, whose order follows the hash seed; the vectorizer's remap can leave each
    # row's entries in that order, and float sums in another order fit a (slightly) other model
    X.has_sorted_indices = False
    X.sort_indices()
    n = len(texts)
    return Reviews(texts, np.array([int(r["label"]) for r in rows]), np.array([r["category"] for r in rows]),
                   sp.csr_matrix(X[:n]), [str(g) for g in vec.get_feature_names_out()],
                   sp.csr_matrix(X[n:]), np.array([int(w["label"]) for w in words], dtype=np.int_))


@dataclass(frozen=True)
class Fold:
    columns: npt.NDArray[np.int_]  # indices into Reviews.vocab
    idf: Floats
    weight: Floats  # per kept column, on the NB-scaled, normalised TF-IDF
    bias: float

    def log_odds(self, data: Reviews, rows: Mask) -> Floats:
        X = data.X[rows][:, self.columns]
        num = X @ (self.idf * self.weight)
        den = np.sqrt(np.asarray(X @ (self.idf**2)).ravel())
        z: Floats = self.bias + np.divide(num, den, out=np.zeros_like(num), where=den > 0)
        return z

    def predict(self, data: Reviews, rows: Mask) -> Floats:
        p: Floats = 1 / (1 + np.exp(-np.clip(self.log_odds(data, rows), -30, 30)))
        return p


def fit(data: Reviews, rows: Mask, *, c: float = C) -> Fold:
    X = sp.vstack([data.X[rows], data.lexicon_X], format="csr")
    y = np.concatenate([data.labels[rows], data.lexicon_labels])
    df = np.asarray(X.sum(axis=0)).ravel()
    # the lexicon counts as one more category: a word of it that one category's reviews use is kept
    seen_in = (np.asarray(data.lexicon_X.sum(axis=0)).ravel() > 0).astype(np.float64)
    for cat in np.unique(data.categories[rows]):
        seen_in += np.asarray(data.X[rows & (data.categories == cat)].sum(axis=0)).ravel() > 0
    # the run-time scorer keys n-grams by 16-bit character codes: emoji n-grams are not features
    bmp = np.array([max(map(ord, g)) < CODE_OTHER for g in data.vocab])
    columns = np.flatnonzero((df >= MIN_DF) & (seen_in >= MIN_CATEGORIES) & bmp)
    X = X[:, columns]
    n = X.shape[0]
    idf = np.log((1 + n) / (1 + df[columns])) + 1
    A = normalize(X @ sp.diags(idf))
    pos = ALPHA + np.asarray(A[y == 1].sum(axis=0)).ravel()
    neg = ALPHA + np.asarray(A[y == 0].sum(axis=0)).ravel()
    ratio = np.log(pos / pos.sum()) - np.log(neg / neg.sum())
    lr = LogisticRegression(C=c, solver="liblinear", max_iter=2000, random_state=0)  # liblinear shuffles
    lr.fit(A @ sp.diags(ratio), y)
    # fold the NB ratio into the weights: one number per n-gram at run time
    return Fold(columns, idf, ratio * lr.coef_.ravel(), float(lr.intercept_[0]))


def plain_grams(text: str) -> set[str]:
    """The old model's features: every character 1–3-gram of the normalised text, negated or not."""
    t = normalise(text)
    return {t[i : i + k] for k in (1, 2, 3) for i in range(len(t) - k + 1)}


def old_nb(X: sp.csr_matrix, y: npt.NDArray[np.int_], held: sp.csr_matrix) -> Floats:
    """The classifier this replaces (binary naive Bayes over plain_grams, min_df 2), fitted on X, y and
    scoring the rows of `held` (same columns), as scores whose 0.5 is its old decision."""
    pos = np.asarray(X[y == 1].sum(axis=0)).ravel()
    neg = np.asarray(X[y == 0].sum(axis=0)).ravel()
    keep = (pos + neg) >= 2
    w = np.zeros(len(pos))
    k = int(keep.sum())
    w[keep] = (np.log((pos[keep] + 1) / (pos[keep].sum() + k)) - np.log((neg[keep] + 1) / (neg[keep].sum() + k)))
    z = np.log(np.sum(y == 1) / np.sum(y == 0)) + held @ w
    p: Floats = 1 / (1 + np.exp(-np.clip(z / 4, -30, 30)))
    return p


def baseline_nb(data: Reviews, rows: Mask, held: Mask) -> Floats:
    """old_nb refitted on the same rows as a fold, scoring its held-out rows."""
    X, _ = data.plain
    return old_nb(X[rows], data.labels[rows], X[held])


def choose_threshold(p: Floats, labels: npt.NDArray[np.int_]) -> float:
    """The threshold of least cost on these scores, a missed negative costing MISS_COST false alarms."""
    grid = np.round(np.arange(0.30, 0.851, 0.01), 2)
    neg = labels == 0
    costs = [MISS_COST * np.sum(neg & (p >= t)) + np.sum(~neg & (p < t)) for t in grid]
    return float(grid[int(np.argmin(costs))])


@dataclass(frozen=True)
class Figures:
    n: int
    accuracy: float
    neg_precision: float
    neg_recall: float


def figures(p: Floats, labels: npt.NDArray[np.int_], threshold: float) -> Figures:
    said = p < threshold
    neg = labels == 0
    tp = int(np.sum(said & neg))
    return Figures(len(p), float(np.mean(said == neg)), tp / max(1, int(said.sum())), tp / max(1, int(neg.sum())))


def leave_one_category_out(data: Reviews, *, nested: bool = False) -> tuple[Floats, dict[str, float]]:
    """Scores of every review by a model fitted without its category; with `nested`, the threshold of
    each category chosen on inner held-out folds of the other categories only."""
    p = np.zeros(len(data.texts))
    thresholds: dict[str, float] = {}
    cats = sorted(set(data.categories.tolist()))
    for cat in cats:
        out = data.categories == cat
        p[out] = fit(data, ~out).predict(data, out)
        if nested:
            inner = np.zeros(len(data.texts))
            for other in cats:
                if other != cat:
                    held = data.categories == other
                    inner[held] = fit(data, ~out & ~held).predict(data, held)
            thresholds[cat] = choose_threshold(inner[~out], data.labels[~out])
    return p, thresholds


def write_model(fold: Fold, data: Reviews, *, threshold: float, version: str, path: Path = MODEL_PATH) -> None:
    """The .npz metrics.sentiment reads (metrics.sentiment.write_model_arrays)."""
    keys = gram_keys([data.vocab[i] for i in fold.columns])
    order = np.argsort(keys, kind="stable")
    meta = {"version": version, "bias": round(fold.bias, 6), "threshold": threshold,
            "features": "distinct character 1-4-grams of metrics.sentiment.normalise(text), none starting "
                        "within NEGATION_SCOPE characters after one of NEGATORS",
            "keys": "16-bit character codes side by side, first character highest",
            "score": "sigmoid(bias + sum(weight) / sqrt(sum(idf2))) over the known n-grams"}
    write_model_arrays(path, keys[order], (fold.idf * fold.weight)[order], fold.idf[order] ** 2, meta)
