"""The classifier on product categories it was never fitted on: leave one whole category out.

For each of the 8 categories of shared/data, fit on the other 7 with the shipping code
(bench/sentiment_model.py) and score the held-out one at the shipped threshold. Slow (1–2 min):
8 fits on ~45,000 reviews. Skipped, with the reason printed, when the data files or scikit-learn
are absent.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from metrics import sentiment
from tests.metrics.labelled import FILES, files_or_skip

# The issue's target, on unseen categories: ≥ 0.95 accuracy and ≥ 0.95 recall of negatives.
TARGET = 0.95
# What this model does reach, pooled over the 8 held-out categories (README): a floor a change must
# not break. It is below the target: see test_meets_the_issue_target.
FLOOR_ACCURACY = 0.89
FLOOR_RECALL = 0.94

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def held_out() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    files_or_skip()
    from bench.sentiment_model import baseline_nb, leave_one_category_out, load_reviews

    data = load_reviews(FILES)
    p, _ = leave_one_category_out(data)
    old = np.zeros(len(p))
    for cat in sorted(set(data.categories.tolist())):
        out = data.categories == cat
        old[out] = baseline_nb(data, ~out, out)
    return p, old, data.labels, data.categories


def _figures(p: np.ndarray, labels: np.ndarray, threshold: float) -> tuple[float, float]:
    said, neg = p < threshold, labels == 0
    return float(np.mean(said == neg)), float(np.mean(said[neg]))


def test_held_out_categories_reach_the_floor_and_beat_the_old_model(
        held_out: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]) -> None:
    p, old, labels, cats = held_out
    acc, rec = _figures(p, labels, sentiment.model().threshold)
    old_acc, old_rec = _figures(old, labels, 0.5)
    per = {c: _figures(p[cats == c], labels[cats == c], sentiment.model().threshold) for c in sorted(set(cats))}
    assert acc >= FLOOR_ACCURACY and rec >= FLOOR_RECALL, (acc, rec, per)
    assert acc > old_acc and rec > old_rec + 0.02, (acc, rec, old_acc, old_rec)
    # recall is what matters most: no held-out category may miss more than a fifth of its complaints
    assert min(r for _, r in per.values()) >= 0.80, per


@pytest.mark.xfail(strict=True, reason="the issue's 0.95/0.95 is not reached on this corpus's held-out categories "
                                       "(pooled ≈ 0.90/0.95, README): strict, so reaching it turns this red")
def test_meets_the_issue_target(held_out: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]) -> None:
    p, _, labels, _ = held_out
    acc, rec = _figures(p, labels, sentiment.model().threshold)
    assert acc >= TARGET and rec >= TARGET, (acc, rec)


def test_the_shipped_file_scores_as_the_fitted_model(tmp_path: Path) -> None:
    # the run-time scorer (dict + numpy-free sum) must give the fitted model's probabilities
    if not all(f.exists() for f in FILES):
        pytest.skip("labelled reviews not found")
    pytest.importorskip("sklearn", reason="scikit-learn (dev dependency) is needed to fit")
    from bench.sentiment_model import fit, load_reviews, write_model

    data = load_reviews(FILES[:1])
    rows = np.isin(data.categories, ["蒙牛", "手机"])
    fold = fit(data, rows)
    path = tmp_path / "m.npz"
    write_model(fold, data, threshold=0.5, version="t", path=path)
    m = sentiment.read_model(path)
    probe = np.zeros(len(data.texts), dtype=bool)
    probe[np.flatnonzero(~rows)[:300]] = True
    expected = fold.predict(data, probe)
    got = [m.score(t) for t, keep in zip(data.texts, probe, strict=True) if keep]
    assert np.allclose(got, expected, atol=2e-3)
