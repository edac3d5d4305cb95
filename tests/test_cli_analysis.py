"""`ecombot rfm export`: the CSV round trip, Chinese names, and refusals that write nothing."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine

from bot.cli import main
from tests.metrics.fixtures import Shop, load_shop
from tests.metrics.test_rfm import AS_OF, HAND, _hand_lines


def invoke(engine: Engine, *args: str) -> Result:
    env = {"DATABASE_URL": engine.url.render_as_string(hide_password=False), "BOT_TIMEZONE": "Asia/Shanghai"}
    return CliRunner().invoke(main, list(args), env=env)


@pytest.fixture
def shop(sqlite_engine: Engine) -> Engine:
    load_shop(sqlite_engine, Shop(_hand_lines(), [], []))
    return sqlite_engine


def _expected(segment: str) -> list[list[str]]:
    members = sorted(((c, v) for c, v in HAND.items() if v[6] == segment), key=lambda cv: (-cv[1][2], cv[0]))
    return [[c, str(rd), str(o), f"{m}.00", str(r), str(f), str(mm)] for c, (rd, o, m, r, f, mm, _) in members]


@pytest.mark.parametrize("name", ["hibernating", "沉睡用户", "Hibernating"])
def test_export_to_a_file_round_trips(shop: Engine, tmp_path: Path, name: str) -> None:
    out = tmp_path / "seg.csv"
    result = invoke(shop, "rfm", "export", name, "--as-of", AS_OF.isoformat(), "-o", str(out))
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["customer_id", "recency_days", "orders", "monetary", "r", "f", "m"]
    assert rows[1:] == _expected("hibernating") and len(rows) == 3
    assert "2 buyers of hibernating" in result.output


def test_export_to_stdout_with_channel(shop: Engine) -> None:
    result = invoke(shop, "rfm", "export", "高价值沉睡用户", "--as-of", AS_OF.isoformat())
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[1:] == _expected("cant-lose")
    # on JD alone there is one buyer (J): every score is 1, so J is "lost" there
    jd = invoke(shop, "rfm", "export", "lost", "--channel", "京东", "--as-of", AS_OF.isoformat())
    assert [r[0] for r in csv.reader(io.StringIO(jd.stdout))][1:] == ["J"]


@pytest.mark.parametrize(("args", "said"), [
    (["whales"], "unknown segment 'whales'; known segments: champions (重要价值用户), loyal (忠诚用户)"),
    (["lost", "--channel", "douyn"], "Did you mean `douyin`?"),
    (["lost", "--as-of", "2025-01-01"], "no orders on or before 2025-01-01; the first is on 2025-10-26"),
    (["lost", "--as-of", "30/11/2026"], "is not YYYY-MM-DD"),
])
def test_refusals_write_nothing(shop: Engine, tmp_path: Path, args: list[str], said: str) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    out = folder / "seg.csv"
    result = invoke(shop, "rfm", "export", *args, "-o", str(out))
    assert result.exit_code != 0
    assert said in result.output
    assert list(folder.iterdir()) == []  # no file, no temporary left behind


def test_first_order_day_of_the_fixture() -> None:
    assert min(ln.day for ln in _hand_lines()) == date(2025, 10, 26)
