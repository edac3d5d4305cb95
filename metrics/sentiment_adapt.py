"""Fitting the shipped classifier further on a team's own rated reviews (`ecombot sentiment fit`).

    fitted = adapt(sentiment.model(), texts, complaints)      # complaints: True for a 1–2★ review
    write_model_file(fitted.model, Path("our_sentiment.npz"))  # SENTIMENT_MODEL_FILE reads it

Measured on categories the shipped model never saw, learning the shop's own vocabulary is the one
change that lifts accuracy by more than a few thousandths (README). Ratings are free labels: a
1–2★ review is a complaint and a 4–5★ one is not (SPEC §7), and the reviews whose verdict the
text decides are the others — 3★, and posts without a rating.

The fit keeps the shipped model as it is and learns a correction on top: logistic regression whose
offset is the shipped model's log-odds, over the team's n-grams (the same features, seen in at
least MIN_DF of its reviews), L2-regularised towards zero, so with few reviews it stays close to
the shipped model. The correction uses the shipped model's normalisation (each review's n-gram
weights divided by √Σ idf² of its known n-grams), which makes the fitted model one file of the
same format: its weight is the shipped weight plus the correction, and an n-gram the shipped
model did not know enters with a squared idf of 0, so it changes no review's norm. Classes are
weighted to count equally: a shop's 3 % of complaints must not teach the model that complaints are
rare (the threshold, chosen on held-out categories, stays the shipped one). The strength is chosen
by cross-validation on the team's own reviews, and the same folds report what the fit gains there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.optimize import minimize

from metrics.sentiment import (
    CODE_OTHER,
    Model,
    gram_keys,
    grams,
    logit,
    normalise,
    single_index,
    write_model_arrays,
)

MIN_DF = 3  # an n-gram of fewer of the team's reviews is noise, not its vocabulary
# with fewer complaints (or praises) the cross-validated check is too coarse to see a few more missed
# complaints: measured on held-out product categories, fits on 100 complaints lost 0.015 of negative
# recall on average (0.043 at worst) where the folds saw none; on 200, 0.002 (0.009) (README)
MIN_PER_CLASS = 200
STRENGTHS = (100.0, 300.0, 1000.0, 3000.0)  # inverse L2 strengths tried by cross-validation (README)
FOLDS = 5
MISS_COST = 2.0  # as the threshold's rule (bench/sentiment_model.py)
MAX_ITER = 200
SHIFTS = np.round(np.arange(-2.0, 2.001, 0.1), 1)  # log-odds tried for the boundary after fitting

Floats = npt.NDArray[np.float64]


class FitError(ValueError):
    """The reviews cannot be fitted on (too few of a class); the message says how many there are."""


@dataclass(frozen=True)
class Figures:
    """Accuracy and the complaints found, at the model's boundary (score < 0.5 is a complaint)."""

    n: int
    accuracy: float
    neg_recall: float
    neg_precision: float


def figures(scores: Floats, complaints: npt.NDArray[np.bool_]) -> Figures:
    said = scores < 0.5
    found = int(np.sum(said & complaints))
    return Figures(len(scores), float(np.mean(said == complaints)), found / max(1, int(complaints.sum())),
                   found / max(1, int(said.sum())))


@dataclass(frozen=True)
class Fitted:
    model: Model
    strength: float  # the inverse L2 strength cross-validation chose
    shift: float  # added to the log-odds: the boundary chosen again on the held-out folds
    reviews: int
    complaints: int
    ngrams: int  # n-grams the correction covers
    new_ngrams: int  # of them, unknown to the shipped model
    before: Figures  # the shipped model on the team's reviews, cross-validated folds pooled
    after: Figures  # the fitted model on the same folds, each fold scored by a fit without it
    before_cost: float  # balanced_cost of `before`
    after_cost: float  # and of `after`

    @property
    def helps(self) -> bool:
        """Whether the fit beats the shipped model on the team's own reviews: a lower cost by the threshold's
        rule, and no complaint fewer found."""
        return self.after_cost < self.before_cost and self.after.neg_recall >= self.before.neg_recall


@dataclass(frozen=True)
class _Matrix:
    X: sp.csr_matrix  # reviews × the team's n-grams, 1 / √den where present
    keys: npt.NDArray[np.uint64]  # sorted keys of those n-grams
    offset: Floats  # the shipped model's log-odds of each review, as fitted (not centred)


def _matrix(base: Model, texts: Sequence[str]) -> _Matrix:
    per_review = [grams(t) for t in texts]
    counts: dict[str, int] = {}
    for gs in per_review:
        for g in gs:
            counts[g] = counts.get(g, 0) + 1
    # keys are 16-bit character codes: an n-gram with a character outside the BMP cannot be looked up
    vocab = sorted(g for g, n in counts.items() if n >= MIN_DF and max(map(ord, g)) < CODE_OTHER)
    keys = gram_keys(vocab)
    order = np.argsort(keys)
    keys = keys[order]
    column = {vocab[j]: i for i, j in enumerate(order)}
    num, den = base.sums(list(texts))
    scale = np.divide(1.0, np.sqrt(den), out=np.zeros(len(texts)), where=den > 0)
    indptr, indices, data = [0], [], []
    for i, gs in enumerate(per_review):
        cols = sorted(column[g] for g in gs if g in column) if scale[i] > 0 else []
        indices += cols
        data += [scale[i]] * len(cols)
        indptr.append(len(indices))
    X = sp.csr_matrix((np.array(data, dtype=np.float64), np.array(indices, dtype=np.int64), np.array(indptr)),
                      shape=(len(texts), len(keys)))
    return _Matrix(X, keys, base.bias + logit(base.threshold) + num / np.where(den > 0, np.sqrt(den), 1.0))


def _correction(X: sp.csr_matrix, offset: Floats, complaint: npt.NDArray[np.bool_], strength: float) -> Floats:
    """argmin Σ cᵢ log(1 + exp(−yᵢ(offsetᵢ + xᵢ·w))) + |w|² / (2 · strength), classes weighted equally."""
    y = np.where(complaint, -1.0, 1.0)
    n_neg = max(1, int(complaint.sum()))
    n_pos = max(1, len(y) - n_neg)
    c = np.where(complaint, len(y) / (2 * n_neg), len(y) / (2 * n_pos))
    Xt = X.T.tocsr()

    def loss(w: Floats) -> tuple[float, Floats]:
        margin = y * (offset + X @ w)
        value = float(np.sum(c * np.logaddexp(0, -margin))) + float(w @ w) / (2 * strength)
        slope = -c * y / (1 + np.exp(np.clip(margin, -30, 30)))
        return value, Xt @ slope + w / strength

    start = np.zeros(X.shape[1])
    found = minimize(loss, start, jac=True, method="L-BFGS-B", options={"maxiter": MAX_ITER})
    w: Floats = found.x
    return w


def _merge(base: Model, keys: npt.NDArray[np.uint64], w: Floats, *, version: str) -> Model:
    """The shipped model with the correction added: same keys plus the new ones (idf² 0)."""
    all_keys = np.union1d(base.keys, keys)
    weight = np.zeros(len(all_keys))
    idf2 = np.zeros(len(all_keys))
    at = np.searchsorted(all_keys, base.keys)
    weight[at] = base.weight
    idf2[at] = base.idf2
    weight[np.searchsorted(all_keys, keys)] += w
    return replace(base, keys=all_keys, weight=weight, idf2=idf2, single=single_index(all_keys), version=version)


@dataclass(frozen=True)
class Distinct:
    texts: list[str]
    complaints: list[bool]
    repeats: int  # the same text again with the same verdict ("此用户没有填写评价" a thousand times)
    conflicting: int  # distinct texts given both verdicts: left out


def distinct(texts: Sequence[str], complaints: Sequence[bool]) -> Distinct:
    """Each text once (as normalised for scoring). A review repeated in two folds would be scored by a fit
    that has seen it, and the cross-validated figures would flatter the fit."""
    verdicts: dict[str, bool | None] = {}  # normalised text → verdict; None once both were seen
    first: dict[str, str] = {}
    repeats = 0
    for text, complaint in zip(texts, complaints, strict=True):
        key = normalise(text)
        if key in verdicts:
            repeats += 1
            if verdicts[key] is not None and verdicts[key] != complaint:
                verdicts[key] = None
            continue
        verdicts[key] = complaint
        first[key] = text
    kept = [(first[k], v) for k, v in verdicts.items() if v is not None]
    return Distinct([t for t, _ in kept], [v for _, v in kept], repeats, len(verdicts) - len(kept))


def _folds(complaint: npt.NDArray[np.bool_], k: int) -> npt.NDArray[np.int_]:
    """A fold for each review, each class spread evenly (seeded: the same file gives the same folds)."""
    rng = np.random.default_rng(0)
    fold = np.zeros(len(complaint), dtype=np.int_)
    for cls in (True, False):
        idx = rng.permutation(np.flatnonzero(complaint == cls))
        fold[idx] = np.arange(len(idx)) % k
    return fold


def balanced_cost(scores: Floats, complaint: npt.NDArray[np.bool_]) -> float:
    """The threshold's cost rule (a missed complaint costs MISS_COST false alarms) on the rates of each
    class, not their counts: it was chosen on balanced categories, and a shop's file with 3 % of
    complaints would otherwise trade a missed complaint for a few fewer false alarms."""
    said = scores < 0.5
    misses = np.sum(complaint & ~said) / max(1, int(complaint.sum()))
    alarms = np.sum(~complaint & said) / max(1, int((~complaint).sum()))
    return float(MISS_COST * misses + alarms)


def adapt(base: Model, texts: Sequence[str], complaints: Sequence[bool], *, version: str = "fitted",
          strengths: Sequence[float] = STRENGTHS, folds: int = FOLDS,
          progress: Callable[[int, int], None] | None = None) -> Fitted:
    """The shipped model fitted further on these reviews (complaints[i]: review i is a complaint);
    `progress(done, total)` after each of the len(strengths) × folds + 1 fits."""
    if len(texts) != len(complaints):
        raise ValueError("one verdict per review")
    reviews = distinct(texts, complaints)
    texts = reviews.texts
    complaint = np.asarray(reviews.complaints, dtype=bool)
    n_neg = int(complaint.sum())
    if min(n_neg, len(complaint) - n_neg) < MIN_PER_CLASS:
        raise FitError(f"{n_neg:,} complaints and {len(complaint) - n_neg:,} other reviews (distinct texts): at "
                       f"least {MIN_PER_CLASS} of each are needed to fit and to check the fit")
    m = _matrix(base, texts)
    fold = _folds(complaint, folds)
    centre = logit(base.threshold)  # offsets are as fitted, scores centred
    before = m.offset - centre
    before_recall = figures(_sigmoid(before), complaint).neg_recall
    best: tuple[float, float, float, Floats] | None = None
    done, total = 0, len(strengths) * folds + 1
    for strength in strengths:
        z = np.zeros(len(texts))
        for f in range(folds):
            train, held = fold != f, fold == f
            w = _correction(m.X[train], m.offset[train], complaint[train], strength)
            z[held] = m.offset[held] + m.X[held] @ w - centre
            done += 1
            if progress:
                progress(done, total)
        # a missed complaint is a missed incident: the fit may not find fewer than the shipped model does
        cost, shift = _best_shift(z, complaint, floor=before_recall)
        if best is None or cost < best[0]:
            best = (cost, strength, shift, z + shift)
    assert best is not None
    cost, strength, shift, z = best
    w = _correction(m.X, m.offset, complaint, strength)
    if progress:
        progress(total, total)
    known = np.isin(m.keys, base.keys)
    fitted = _merge(base, m.keys, w, version=version)
    return Fitted(replace(fitted, bias=fitted.bias + shift), strength, shift, len(texts), n_neg, len(m.keys),
                  int((~known).sum()), figures(_sigmoid(before), complaint), figures(_sigmoid(z), complaint),
                  balanced_cost(_sigmoid(before), complaint), cost)


def _best_shift(z: Floats, complaint: npt.NDArray[np.bool_], floor: float) -> tuple[float, float]:
    """The boundary chosen again on held-out folds, as the shipped threshold was: a correction learnt from
    a few complaints and many praises leans positive on reviews it has not seen (each praise n-gram is
    seen more often). Of the shifts in log-odds that find at least `floor` of the complaints, the one
    of least balanced cost; if none does, the one that finds the most."""
    found = {float(s): figures(_sigmoid(z + s), complaint).neg_recall for s in SHIFTS}
    allowed = [s for s, recall in found.items() if recall >= floor] or [max(found, key=lambda s: (found[s], -abs(s)))]
    cost, _, shift = min((balanced_cost(_sigmoid(z + s), complaint), abs(s), s) for s in allowed)
    return cost, shift


def _sigmoid(z: Floats) -> Floats:
    s: Floats = 1 / (1 + np.exp(-np.clip(z, -30, 30)))
    return s


def write_model_file(model: Model, path: Path, meta: dict[str, object]) -> None:
    """`model` as the .npz `metrics.sentiment.read_model` reads, `meta` recorded beside its own fields."""
    write_model_arrays(path, model.keys, model.weight, model.idf2, {
        **meta, "version": model.version, "threshold": model.threshold,
        "bias": round(model.bias + logit(model.threshold), 6)})
