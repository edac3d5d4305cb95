"""The labelled reviews of shared/data for the tests that fit the classifier, or a skip that says why."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FILES = (ROOT.parent / "shared" / "data" / "reviews_dev.csv", ROOT.parent / "shared" / "data" / "reviews_more.csv")


def files_or_skip() -> tuple[Path, ...]:
    """FILES, with scikit-learn (a dev dependency, needed to fit); the test is skipped, the reason printed,
    when either is missing."""
    missing = [str(f) for f in FILES if not f.exists()]
    if missing:
        print(f"skipped: labelled reviews not found: {', '.join(missing)}")
        pytest.skip(f"labelled reviews not found: {', '.join(missing)}")
    pytest.importorskip("sklearn", reason="scikit-learn (dev dependency) is needed to fit")
    return FILES
