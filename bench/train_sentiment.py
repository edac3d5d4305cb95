"""Fit the review sentiment model on the labelled reviews and write the file the package ships.

    .venv/bin/python bench/train_sentiment.py            # fit, choose the threshold, write the model
    .venv/bin/python bench/train_sentiment.py --check    # the same, but only say whether it differs

The threshold is the least-cost one (a missed negative costs two false alarms) on scores that each
review got from a model fitted without its whole category (leave-one-category-out over the 8
categories of shared/data), so it is chosen on categories the scoring model never saw. The model
itself is then fitted on every review. Same data, same bytes: the output is deterministic.
The full measurement (nested thresholds, baseline, throughput, topics) is bench/bench_sentiment.py.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.sentiment_model import DATA_FILES, choose_threshold, fit, leave_one_category_out, load_reviews, write_model  # noqa: E402,E501
from metrics.sentiment import MODEL_PATH  # noqa: E402

VERSION = "4"  # 3: fitted with the HowNet lexicon beside the reviews; 4: negation scope


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--check", action="store_true", help="rebuild to a temporary file and compare")
    args = parser.parse_args()
    started = time.perf_counter()
    data = load_reviews(DATA_FILES)
    p, _ = leave_one_category_out(data)
    threshold = choose_threshold(p, data.labels)
    fold = fit(data, np.ones(len(data.texts), dtype=bool))
    out = Path(tempfile.mkstemp(suffix=".npz")[1]) if args.check else MODEL_PATH
    write_model(fold, data, threshold=threshold, version=f"{VERSION}-{len(data.texts)}", path=out)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()[:16]
    print(f"{len(data.texts)} reviews, {len(fold.columns)} n-grams kept, threshold {threshold:.2f} "
          f"(leave-one-category-out, miss = 2 false alarms); {out} {out.stat().st_size / 1e6:.2f} MB "
          f"sha256 {digest}; {time.perf_counter() - started:.0f} s")
    if args.check:
        same = out.read_bytes() == MODEL_PATH.read_bytes()
        print("identical to the shipped model" if same else "DIFFERS from the shipped model")
        out.unlink()
        sys.exit(0 if same else 1)


if __name__ == "__main__":
    main()
