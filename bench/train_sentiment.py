"""Fit the review sentiment model and report honest accuracy.

    python bench/train_sentiment.py [--data ../shared/data/reviews_dev.csv] [--write]

Reports leave-one-category-out accuracy (fit on four product categories, score the fifth — the
figure that predicts how it does on categories it has never seen, such as clothing) and a
random 80/20 split; `--write` fits on everything and writes metrics/models/sentiment_nb.json.gz.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import math
import random
from collections import Counter
from pathlib import Path
from typing import cast

from metrics.sentiment import MODEL_PATH, features

ROOT = Path(__file__).resolve().parents[1]


def fit(rows: list[dict[str, str]], alpha: float = 1.0, min_df: int = 2) -> tuple[dict[str, float], float]:
    pos: Counter[str] = Counter()
    neg: Counter[str] = Counter()
    n_pos = n_neg = 0
    for r in rows:
        fs = features(r["text"])
        if r["label"] == "1":
            pos.update(fs)
            n_pos += 1
        else:
            neg.update(fs)
            n_neg += 1
    vocab = [w for w in set(pos) | set(neg) if pos[w] + neg[w] >= min_df]
    p_total = sum(pos[w] for w in vocab) + alpha * len(vocab)
    n_total = sum(neg[w] for w in vocab) + alpha * len(vocab)
    weights = {w: math.log((pos[w] + alpha) / p_total) - math.log((neg[w] + alpha) / n_total) for w in vocab}
    return weights, math.log(n_pos / n_neg)


def accuracy(model: tuple[dict[str, float], float], rows: list[dict[str, str]]) -> float:
    weights, bias = model
    hits = sum((bias + sum(weights.get(f, 0.0) for f in features(r["text"])) > 0) == (r["label"] == "1") for r in rows)
    return hits / len(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=str(ROOT.parent / "shared" / "data" / "reviews_dev.csv"))
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    rows = list(csv.DictReader(open(args.data, encoding="utf-8")))
    cats = sorted({r["category"] for r in rows})
    loco = []
    for cat in cats:
        acc = accuracy(fit([r for r in rows if r["category"] != cat]), [r for r in rows if r["category"] == cat])
        loco.append(acc)
        print(f"held-out category {cat}: {acc:.3f}")
    print(f"leave-one-category-out mean accuracy: {sum(loco) / len(loco):.3f}")
    rng = random.Random(1)
    shuffled = rows[:]
    rng.shuffle(shuffled)
    cut = int(len(shuffled) * 0.8)
    print(f"random 80/20 split accuracy: {accuracy(fit(shuffled[:cut]), shuffled[cut:]):.3f}")
    if args.write:
        weights, bias = fit(rows, min_df=3)
        # 4 decimals keep the file small; the rounding moves no decision measurably
        data = {"bias": round(bias, 4), "weights": {k: round(v, 3) for k, v in weights.items() if abs(v) >= 0.05}}
        with gzip.open(MODEL_PATH, "wt", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, separators=(",", ":"))
        weights = cast(dict[str, float], data["weights"])
        print(f"wrote {MODEL_PATH} ({MODEL_PATH.stat().st_size / 1e6:.1f} MB, {len(weights)} features)")


if __name__ == "__main__":
    main()
