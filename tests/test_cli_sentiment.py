"""`ecombot sentiment classify` end to end: columns and order kept, bad rows marked, errors in one line."""

from __future__ import annotations

import csv
from pathlib import Path

from click.testing import CliRunner, Result

from bot.cli import main


def invoke(tmp_path: Path, *args: str, **env: str) -> Result:
    environ = {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", **env}
    return CliRunner().invoke(main, ["sentiment", "classify", *args], env=environ)


def write(path: Path, rows: list[list[str]], *, bom: bool = False) -> Path:
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


ROWS = [
    ["id", "text", "rating", "shop"],
    ["1", "质量很好，物流也快，非常满意", "", "A"],
    ["2", "用了脸上过敏红肿，快递还慢", "", "B"],
    ["3", "非常好用，很满意", "1", "C"],  # the rating overrides the text
    ["4", "", "", "D"],
    ["5", "😡😡😡", "2", "E"],
    ["6", "<p>垃圾产品，&nbsp;坏了</p>", "", "F"],
    ["7", "坏" + "\x00" + "了，差评", "", "G"],
    ["8", "太差了" * 40_000, "", "H"],
    ["9", "The delivery was late and the box was broken", "", "I"],
    ["10", "质量太差了，垃圾", "5", "J"],
    ["11", "还行", "abc", "K"],
]


def test_round_trip_keeps_columns_and_order_and_marks_bad_rows(tmp_path: Path) -> None:
    src = write(tmp_path / "reviews.csv", ROWS, bom=True)
    result = invoke(tmp_path, str(src))
    assert result.exit_code == 0, result.output
    out = tmp_path / "reviews.scored.csv"
    assert "11 reviews scored" in result.output and str(out) in result.output
    with open(out, encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh))
    assert header == ["id", "text", "rating", "shop", "score", "negative", "topic", "reason"]
    rows = read(out)
    assert [r["id"] for r in rows] == [str(i) for i in range(1, 12)]
    assert [r["shop"] for r in rows] == list("ABCDEFGHIJK")
    by = {r["id"]: r for r in rows}
    assert by["1"]["negative"] == "false" and float(by["1"]["score"]) > 0.6 and by["1"]["topic"] == ""
    assert by["2"]["negative"] == "true" and by["2"]["topic"] == "safety;logistics"
    assert by["3"]["negative"] == "true" and float(by["3"]["score"]) > 0.5  # rating 1 wins over the text
    assert by["10"]["negative"] == "false"  # rating 5 wins over the text
    assert by["4"] | {} == by["4"] and (by["4"]["score"], by["4"]["negative"], by["4"]["reason"]) == ("", "",
                                                                                                     "empty text")
    assert by["5"]["score"] == "" and by["5"]["negative"] == "true" and "emoji" in by["5"]["reason"]
    assert "HTML" in by["6"]["reason"] and by["6"]["negative"] == "true" and "quality" in by["6"]["topic"]
    assert "NUL" in by["7"]["reason"] and by["7"]["negative"] == "true"
    assert "scored on the first" in by["8"]["reason"] and by["8"]["negative"] == "true"
    assert by["8"]["text"] == ROWS[8][1]  # the text itself is written back untouched
    assert "no Chinese" in by["9"]["reason"] and by["9"]["score"] != ""
    assert "rating 'abc' ignored" in by["11"]["reason"]


def test_output_option_and_existing_columns_overwritten_in_place(tmp_path: Path) -> None:
    src = write(tmp_path / "in.csv", [["score", "text"], ["old", "物流太慢了，等了十天"]])
    out = tmp_path / "sub" / "out.csv"
    out.parent.mkdir()
    result = invoke(tmp_path, str(src), "-o", str(out))
    assert result.exit_code == 0, result.output
    with open(out, encoding="utf-8", newline="") as fh:
        lines = list(csv.reader(fh))
    assert lines[0] == ["score", "text", "negative", "topic", "reason"]
    assert lines[1][0] != "old" and lines[1][2] == "true" and lines[1][3] == "logistics"


def test_a_file_without_text_column_is_refused_and_nothing_written(tmp_path: Path) -> None:
    src = write(tmp_path / "x.csv", [["id", "comment"], ["1", "很好"]])
    result = invoke(tmp_path, str(src))
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"Error: {src}: no 'text' column (columns: id, comment)"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".csv") == ["x.csv"]


def test_gbk_file_is_refused_in_one_line(tmp_path: Path) -> None:
    src = tmp_path / "gbk.csv"
    src.write_bytes("text\n质量很差\n".encode("gbk"))
    result = invoke(tmp_path, str(src))
    assert result.exit_code == 1 and "not UTF-8" in result.output and len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "gbk.scored.csv").exists()


def test_topics_come_from_the_override_file(tmp_path: Path) -> None:
    from tests.metrics.test_sentiment_topics import write_topics

    topics = write_topics(tmp_path / "topics.toml", extra_kw="包裹")
    src = write(tmp_path / "r.csv", [["text"], ["包裹被压扁了，太差了"]])
    result = invoke(tmp_path, str(src), SENTIMENT_TOPICS_FILE=str(topics))
    assert result.exit_code == 0, result.output
    assert read(tmp_path / "r.scored.csv")[0]["topic"] == "logistics"
