"""What `ecombot sentiment fit` gains on a category the shipped model never saw (issue 14).

    .venv/bin/python bench/bench_sentiment_fit.py              # all 8 categories (~15 min on 2 cores)
    .venv/bin/python bench/bench_sentiment_fit.py --only 水果    # one
    .venv/bin/python bench/bench_sentiment_fit.py --rescore [--url postgresql://…]   # rescore's speed

For each category of shared/data: the classifier is fitted on the other 7 (and the lexicon), as in
bench_sentiment.py's leave-one-category-out, and written as a model file, as the shipped one is.
The category's reviews are split in two halves (seeded). From one half, a shop's rated reviews are
drawn — N reviews with a given share of complaints (a shop's export is not balanced) — and the
held-out model is fitted further on them with metrics.sentiment_adapt.adapt, exactly as the
command does. Both models then score the other half, which plays no part in the fit: accuracy and
negative recall at the shipped boundary (a fit that does not win on its own folds is not written by
the command, so there the shipped model's figures count). The fit's own cross-validated figures
(what the command prints) are shown beside them, to see whether they tell a team the truth.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.sentiment_model import DATA_FILES, Reviews, fit, load_reviews, write_model  # noqa: E402
from metrics import sentiment  # noqa: E402
from metrics.sentiment_adapt import FitError, adapt, figures  # noqa: E402

SIZES = (1000, 2000, 4000)
COMPLAINT_SHARES = (0.1, 0.5)


def held_out_model(data: Reviews, cat: str) -> sentiment.Model:
    fold = fit(data, data.categories != cat)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.npz"
        write_model(fold, data, threshold=sentiment.model().threshold, version=f"without {cat}", path=path)
        return sentiment.read_model(path)


def draw(pool: np.ndarray, complaint: np.ndarray, n: int, share: float, rng: np.random.Generator) -> np.ndarray | None:
    neg, pos = pool[complaint[pool]], pool[~complaint[pool]]
    k = round(n * share)
    if k > len(neg) or n - k > len(pos):
        return None
    return np.concatenate([rng.choice(neg, k, replace=False), rng.choice(pos, n - k, replace=False)])


def rescore_speed(url: str | None, n: int = 50_000) -> None:
    """`ecombot sentiment rescore`'s work on n stored reviews after a fit: import them (shipped model),
    fit on 2,000 of them, rescore every one (most scores move, so most rows are written)."""
    from datetime import date
    from zoneinfo import ZoneInfo

    from metrics.channels import ChannelRegistry
    from metrics.db import connect
    from metrics.imports import ImportOptions, import_records
    from metrics.rescore import rescore
    from metrics.schema import reviews
    from metrics.sentiment_topics import default_topics

    rows = []
    for f in DATA_FILES:
        with open(f, encoding="utf-8", newline="") as fh:
            rows += [(r["text"], r["label"] == "0") for r in csv.DictReader(fh) if r["text"].isprintable()]
    sample = random.Random(7).sample(rows, min(n, len(rows)))
    with tempfile.TemporaryDirectory() as tmp:
        engine = connect(url or f"sqlite:///{tmp}/bench.db")
        with engine.begin() as conn:
            conn.execute(reviews.delete())
        opts = ImportOptions(tz=ZoneInfo("Asia/Shanghai"), registry=ChannelRegistry(), today=date(2026, 12, 2))
        import_records(engine, "reviews", [{"review_id": f"B{i}", "channel": "tmall", "sku": "SKU-1",
                                             "created_at": "2026-12-01 10:00", "text": t}
                                            for i, (t, _) in enumerate(sample)], opts, source="bench")
        fitted = adapt(sentiment.model(), [t for t, _ in sample[:2000]], [c for _, c in sample[:2000]])
        started = time.perf_counter()
        result = rescore(engine, fitted.model, default_topics())
        took = time.perf_counter() - started
        print(f"rescore on {engine.dialect.name}: {result.reviews:,} reviews, {result.changed:,} written, "
              f"{took:.1f} s ({result.reviews / took:,.0f} reviews/s)")
        with engine.begin() as conn:
            conn.execute(reviews.delete())
        engine.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", help="one category")
    ap.add_argument("--rescore", action="store_true", help="time `ecombot sentiment rescore` instead")
    ap.add_argument("--url", help="with --rescore: a database URL (its reviews table is emptied!)")
    args = ap.parse_args()
    if args.rescore:
        rescore_speed(args.url)
        return
    data = load_reviews(DATA_FILES)
    complaint = data.labels == 0
    cats = [args.only] if args.only else sorted(set(data.categories.tolist()))
    print("held-out category, N shop reviews fitted on (complaint share) → the other half: accuracy / neg. recall,"
          " shipped-as-held-out → fitted; the fit's own cross-validated figures; strength")
    pooled: dict[tuple[int, float], list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
    for cat in cats:
        started = time.perf_counter()
        base = held_out_model(data, cat)
        rows = np.flatnonzero(data.categories == cat)
        rng = np.random.default_rng(14)
        rows = rng.permutation(rows)
        pool, test = rows[: len(rows) // 2], rows[len(rows) // 2 :]
        test_texts = [data.texts[i] for i in test]
        before = np.array(base.scores(test_texts))
        f0 = figures(before, complaint[test])
        print(f"{cat}: {len(test):,} test reviews, held-out model {f0.accuracy:.3f} / {f0.neg_recall:.3f} "
              f"({time.perf_counter() - started:.0f} s)", flush=True)
        for n in SIZES:
            for share in COMPLAINT_SHARES:
                chosen = draw(pool, complaint, n, share, rng)
                if chosen is None:
                    continue
                t = time.perf_counter()
                try:
                    fitted = adapt(base, [data.texts[i] for i in chosen], complaint[chosen].tolist())
                except FitError:  # fewer complaints than the command accepts
                    continue
                took = time.perf_counter() - t
                # a fit that does not win on its own folds is not written: the shop keeps the model it had
                after = np.array(fitted.model.scores(test_texts)) if fitted.helps else before
                f1 = figures(after, complaint[test])
                pooled.setdefault((n, share), []).append((before, after, complaint[test]))
                print(f"  N={n:>5} ({share:.0%}): {f0.accuracy:.3f} / {f0.neg_recall:.3f} → {f1.accuracy:.3f} / "
                      f"{f1.neg_recall:.3f}   own CV {fitted.before.accuracy:.3f} / {fitted.before.neg_recall:.3f}"
                      f" → {fitted.after.accuracy:.3f} / {fitted.after.neg_recall:.3f}   strength {fitted.strength}"
                      f" shift {fitted.shift:+.1f}  {fitted.ngrams:,} n-grams ({fitted.new_ngrams:,} new), {took:.1f} s"
                      + ("" if fitted.helps else "   not written: the shipped model is kept"), flush=True)
    print("pooled over the categories (every test review once):")
    for (n, share), parts in sorted(pooled.items()):
        b = figures(np.concatenate([p[0] for p in parts]), np.concatenate([p[2] for p in parts]))
        a = figures(np.concatenate([p[1] for p in parts]), np.concatenate([p[2] for p in parts]))
        print(f"  N={n:>5} ({share:.0%}), {len(parts)} categories: {b.accuracy:.3f} / {b.neg_recall:.3f} → "
              f"{a.accuracy:.3f} / {a.neg_recall:.3f}")


if __name__ == "__main__":
    main()
