"""Topic assignment against a hand-labelled sample of negative reviews (bench/data/topic_*.csv).

    fig = measure(Path("bench/data/topic_check.csv"), default_topics())
    fig.precision("safety"), fig.recall("safety"), fig.primary / fig.reviews
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from metrics.sentiment_topics import FALLBACK, TopicSet


@dataclass
class TopicFigures:
    reviews: int = 0
    assigned: Counter[str] = field(default_factory=Counter)
    correct: Counter[str] = field(default_factory=Counter)
    labelled: Counter[str] = field(default_factory=Counter)
    primary: int = 0  # reviews whose primary topic is one of their hand labels

    def precision(self, name: str) -> float:
        return self.correct[name] / self.assigned[name] if self.assigned[name] else float("nan")

    def recall(self, name: str) -> float:
        return self.correct[name] / self.labelled[name] if self.labelled[name] else float("nan")


def measure(sample: Path, topics: TopicSet) -> TopicFigures:
    """Every topic the matcher gives each review (or `other`) against the review's `topics` column."""
    with open(sample, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    fig = TopicFigures(reviews=len(rows))
    for r in rows:
        gold = set(r["topics"].split(";"))
        found = topics.match(r["text"]) or (FALLBACK,)
        fig.primary += found[0] in gold
        for name in found:
            fig.assigned[name] += 1
            fig.correct[name] += name in gold
        fig.labelled.update(gold)
    return fig
