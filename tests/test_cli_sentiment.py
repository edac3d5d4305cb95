"""`ecombot sentiment classify` end to end: columns and order kept, bad rows marked, errors in one line."""

from __future__ import annotations

import csv
import re
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
    src = write(tmp_path / "x.csv", [["id", "备注"], ["1", "很好"]])
    result = invoke(tmp_path, str(src))
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert line.startswith(f"Error: {src}: no review text column, expected one of: text, 评价内容")
    assert line.endswith("(columns: id, 备注)")
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".csv") == ["x.csv"]


def test_a_platform_export_is_read_by_its_own_headers(tmp_path: Path) -> None:
    # a back-office export as downloaded: Chinese headers, the rating as 评分
    src = write(tmp_path / "export.csv", [["订单号", "评价内容", "评分"], ["1", "非常好用，很满意", "1"],
                                          ["2", "非常好用，很满意", ""], ["3", "质量太差了，垃圾", "5"]])
    result = invoke(tmp_path, str(src))
    assert result.exit_code == 0, result.output
    rows = read(tmp_path / "export.scored.csv")
    assert [r["negative"] for r in rows] == ["true", "false", "false"]  # 评分 overrides the text as rating does
    assert rows[0]["score"] == rows[1]["score"] != ""


def test_names_from_the_deployments_alias_file(tmp_path: Path) -> None:
    aliases = tmp_path / "aliases.toml"
    aliases.write_text('[reviews]\ntext = ["买家评语"]\nrating = ["打分"]\n', encoding="utf-8")
    src = write(tmp_path / "r.csv", [["买家评语", "打分"], ["物流太慢了，等了十天", "4"]])
    assert invoke(tmp_path, str(src)).exit_code == 1  # not a name the shipped file knows
    result = invoke(tmp_path, str(src), HEADER_ALIASES_FILE=str(aliases))
    assert result.exit_code == 0, result.output
    [row] = read(tmp_path / "r.scored.csv")
    assert float(row["score"]) < 0.5 and row["negative"] == "false"  # 打分 4 is the rating

    aliases.write_text("[reviews\n", encoding="utf-8")
    result = invoke(tmp_path, str(src), HEADER_ALIASES_FILE=str(aliases))
    assert result.exit_code == 1 and "cannot read the header alias file" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_two_columns_for_the_text_are_refused(tmp_path: Path) -> None:
    src = write(tmp_path / "two.csv", [["text", "评价内容"], ["很好", "很差"]])
    result = invoke(tmp_path, str(src))
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {src}: columns 'text' and '评价内容' are both the review text; keep one"
    assert not (tmp_path / "two.scored.csv").exists()


def test_gbk_file_is_refused_in_one_line(tmp_path: Path) -> None:
    src = tmp_path / "gbk.csv"
    src.write_bytes("text\n质量很差\n".encode("gbk"))
    result = invoke(tmp_path, str(src))
    assert result.exit_code == 1 and "not UTF-8" in result.output and len(result.output.strip().splitlines()) == 1
    assert "looks like GBK" in result.output
    assert not (tmp_path / "gbk.scored.csv").exists()


def test_topics_come_from_the_override_file(tmp_path: Path) -> None:
    from tests.metrics.test_sentiment_topics import write_topics

    topics = write_topics(tmp_path / "topics.toml", extra_kw="包裹")
    src = write(tmp_path / "r.csv", [["text"], ["包裹被压扁了，太差了"]])
    result = invoke(tmp_path, str(src), SENTIMENT_TOPICS_FILE=str(topics))
    assert result.exit_code == 0, result.output
    assert read(tmp_path / "r.scored.csv")[0]["topic"] == "logistics"


LABELLED = [
    ["text", "label"],
    ["质量很好，物流也快，非常满意", "1"],
    ["用了脸上过敏红肿，快递还慢", "0"],
    ["衣服不起球不掉色，很满意", "正面"],
    ["线头很多，做工太差了", "负面"],
    ["包装破了，东西也少了一个", "positive"],  # a label the classifier will disagree with
    ["还可以吧，价格有点贵", "好评"],
    ["一般般，不推荐", "差评"],
    ["非常好用", ""],  # no label: scored, not counted
    ["", "1"],  # no text: no verdict, not counted
    ["太差了", "maybe"],  # a label that is neither
    ["发货很快，推荐购买", "1.0"],
]


def test_a_label_column_is_checked_against(tmp_path: Path) -> None:
    src = write(tmp_path / "labelled.csv", LABELLED)
    result = invoke(tmp_path, str(src))
    assert result.exit_code == 0, result.output
    rows = read(tmp_path / "labelled.scored.csv")
    complaint = {"1": False, "1.0": False, "正面": False, "positive": False, "好评": False,
                 "0": True, "负面": True, "差评": True}
    pairs = [(complaint[r["label"]], r["negative"] == "true") for r in rows
             if r["label"] in complaint and r["negative"]]
    assert len(pairs) == 8
    correct = sum(label == said for label, said in pairs)
    found = sum(label and said for label, said in pairs)
    complaints = sum(label for label, _ in pairs)
    flagged = sum(said for _, said in pairs)
    line = result.output.strip().splitlines()[-1]
    assert f"against the label column, 8 rows: accuracy {correct / 8:.3f}" in line
    assert f"{found} of {complaints} complaints found (negative recall {found / complaints:.3f})" in line
    assert f"{found} of {flagged} flagged are complaints (precision {found / flagged:.3f})" in line
    assert "labels not read: 1 " in line
    assert 0 < correct < 8  # the fixture has a disagreement, so the figure is not trivially 1


def test_without_a_label_column_nothing_is_checked(tmp_path: Path) -> None:
    src = write(tmp_path / "plain.csv", [["text", "labels"], ["很好", "1"]])
    result = invoke(tmp_path, str(src))
    assert result.exit_code == 0 and not re.search("label column", result.output)


def test_an_xlsx_export_is_scored_into_csv(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["评价内容", "评分", "订单号"])
    sheet.append(["质量太差了，用两天就坏了", None, 1001])
    sheet.append([None, None, None])  # a blank row in the sheet is no review
    sheet.append(["非常好用，很满意", 1.0, 1002])  # Excel keeps the rating as a float
    sheet.append(["物流很快，东西不错", 5, None])
    src = tmp_path / "评价导出.xlsx"
    book.save(src)
    result = invoke(tmp_path, str(src))
    assert result.exit_code == 0, result.output
    out = tmp_path / "评价导出.scored.csv"
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel opens it as UTF-8
    rows = read(out)
    assert [r["订单号"] for r in rows] == ["1001", "1002", ""]
    assert [r["评分"] for r in rows] == ["", "1", "5"]
    assert [r["negative"] for r in rows] == ["true", "true", "false"]  # 1.0 read as the rating 1


def test_a_broken_workbook_or_a_workbook_output_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    result = invoke(tmp_path, str(bad))
    assert result.exit_code == 1 and "not a readable .xlsx workbook" in result.output
    assert len(result.output.strip().splitlines()) == 1 and not (tmp_path / "bad.scored.csv").exists()

    src = write(tmp_path / "r.csv", [["text"], ["很好"]])
    result = invoke(tmp_path, str(src), "-o", str(tmp_path / "out.xlsx"))
    assert result.exit_code == 1 and "name it .csv" in result.output and not (tmp_path / "out.xlsx").exists()
