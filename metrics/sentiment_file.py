"""Score a file of reviews: what `ecombot sentiment classify` does, without the command line.

    result = classify_file(Path("reviews.csv"), Path("reviews.scored.csv"))
    result.rows, result.negative, result.marked           # 10000, 1830, 12
    result.check.accuracy, result.check.neg_recall        # 0.95, 0.96: against the file's `label` column

The input is a UTF-8 CSV or an .xlsx workbook (its first sheet); the output is CSV. The review
text is the `text` column, or one the review import knows by another name (评价内容, 评论内容,
review, …; the rating likewise: 评分, 星级), so a platform's export is scored as it is.
Every input column is kept, in order, and `score`, `negative`, `topic` and `reason` are added (or
overwritten where the file has them). `negative` applies SPEC §7's rating override; `topic` is
set for negative reviews: every topic mentioned, the primary first (`safety;logistics`), or
`other`. A row that cannot be read as a review is never fatal: it gets a `reason` and, where
nothing can be said, an empty score. Rows are written in input order. The output is written to a
temporary file and renamed, so a failure leaves no half-written file behind.
"""

from __future__ import annotations

import csv
import html
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from metrics import sentiment
from metrics.export_files import XLSX_SUFFIXES, WorkbookError, looks_like_gbk, sheet_rows
from metrics.header_names import AliasFileError, alias_tables, norm_header, section_aliases
from metrics.sentiment_topics import TopicSet, default_topics

ADDED = ("score", "negative", "topic", "reason")
BATCH = 2000
_TAG = re.compile(r"<[^>]{0,500}>")
_HTML_HINT = re.compile(r"</?[a-zA-Z][^>]{0,500}>|&(?:[a-z]+|#\d+);")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_WORDY = re.compile(r"[^\W_]")  # a letter or digit of any script
# csv's default field limit (128 K characters) would turn one huge review into a crash
csv.field_size_limit(64 * 1024 * 1024)


# A file that brings its own verdicts (hand-labelled, or the team's earlier triage) in a `label`
# column is checked against them: that is how a team sees what the classifier does on its reviews.
LABEL_HEADERS = ("label", "标签", "情感标签")
_COMPLAINT = {"0": True, "1": False, "negative": True, "positive": False, "neg": True, "pos": False,
              "负面": True, "正面": False, "差评": True, "好评": False}  # label → is it a complaint


def label_is_complaint(raw: str) -> bool | None:
    """1/0 as the data files (1 = positive), or a word for either; None: no label or not one of these."""
    value = raw.strip().lower()
    if value in ("1.0", "0.0"):
        value = value[0]
    return _COMPLAINT.get(value)


@dataclass
class Check:
    """The command's `negative` against the file's labels (column `column`), over rows that have both."""

    column: int
    labelled: int = 0
    correct: int = 0
    complaints: int = 0  # labelled negative
    found: int = 0  # labelled negative and said negative
    flagged: int = 0  # said negative
    unreadable: int = 0  # a label that is neither positive nor negative (empty labels are not counted)

    def add(self, row: Sequence[str], negative: str) -> None:
        """One written row and its `negative` cell ("true", "false", or "" where nothing could be said)."""
        raw = row[self.column] if self.column < len(row) else ""
        if not raw.strip():
            return
        label = label_is_complaint(raw)
        if label is None:
            self.unreadable += 1
            return
        if not negative:
            return
        said = negative == "true"
        self.labelled += 1
        self.correct += label == said
        self.complaints += label
        self.found += label and said
        self.flagged += said

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.labelled if self.labelled else None

    @property
    def neg_recall(self) -> float | None:
        return self.found / self.complaints if self.complaints else None

    @property
    def neg_precision(self) -> float | None:
        return self.found / self.flagged if self.flagged else None


class ClassifyError(Exception):
    """The file as a whole cannot be scored (missing, not UTF-8, no text column); nothing was written."""


@dataclass(frozen=True)
class Result:
    rows: int
    negative: int
    marked: int
    output: Path
    check: Check | None = None  # the file had a label column


@dataclass(frozen=True)
class Cleaned:
    text: str | None  # None: nothing to score
    reasons: tuple[str, ...]


def clean(raw: str) -> Cleaned:
    """The text to score and why it differs from what was written, for one review."""
    reasons: list[str] = []
    text = raw
    if "\x00" in text:
        text = text.replace("\x00", "")
        reasons.append("NUL bytes removed")
    if len(text) > sentiment.MAX_CHARS:
        reasons.append(f"{len(raw):,} characters: scored on the first {sentiment.MAX_CHARS:,}")
        text = text[: sentiment.MAX_CHARS * 2]  # the tag strip below may shorten it
    if _HTML_HINT.search(text):
        text = html.unescape(_TAG.sub(" ", text))
        reasons.append("HTML markup removed")
    if not text.strip():
        return Cleaned(None, (*reasons, "empty text"))
    if not _WORDY.search(text):
        return Cleaned(None, (*reasons, "no words (only emoji or symbols)"))
    latin = len(_LATIN.findall(text)) if _LATIN.search(text) else 0
    cjk = len(_CJK.findall(text)) if latin else 1
    if cjk == 0 and latin:
        reasons.append("no Chinese text: the model reads Chinese, score unreliable")
    elif cjk and latin > 2 * cjk:
        reasons.append("mixed languages, mostly not Chinese: score less reliable")
    return Cleaned(text, tuple(reasons))


def parse_rating(raw: str) -> tuple[int | None, str | None]:
    value = raw.strip()
    if not value:
        return None, None
    try:
        number = float(value)
    except ValueError:
        return None, f"rating {value!r} ignored (expected 1–5)"
    if not number.is_integer() or not 1 <= number <= 5:
        return None, f"rating {value!r} ignored (expected 1–5)"
    return int(number), None


def _read(path: Path) -> tuple[list[str], list[list[str]], bool]:
    """Header, rows and whether to write a BOM (as the input had, and always for a workbook: Excel
    then opens the scored CSV as UTF-8)."""
    if path.suffix.lower() in XLSX_SUFFIXES:
        try:
            rows = [r for r in sheet_rows(path) if any(r)]
        except WorkbookError as exc:
            raise ClassifyError(f"{path}: {exc}") from None
        if not rows:
            raise ClassifyError(f"{path}: empty workbook, expected a header row with a text column")
        return [h.strip() for h in rows[0]], rows[1:], True
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ClassifyError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        hint = ", it looks like GBK/GB18030 (Excel's default for Chinese)" if looks_like_gbk(data) else ""
        raise ClassifyError(f"{path}: not UTF-8 (byte {exc.start:,}){hint}; save it as “CSV UTF-8” or .xlsx "
                            "and try again") from None
    rows = list(csv.reader(io.StringIO(text, newline="")))
    rows = [r for r in rows if r]  # blank lines carry no review
    if not rows:
        raise ClassifyError(f"{path}: empty file, expected a header row with a text column")
    return [h.strip() for h in rows[0]], rows[1:], bom


def review_columns(path: Path, header: Sequence[str], aliases_file: Path | None) -> tuple[int, int | None]:
    """Where the text and the rating are: `text` and `rating`, or the names the review import maps to
    them (its [reviews] aliases and HEADER_ALIASES_FILE's)."""
    names = {"text": "text", "rating": "rating"}
    try:
        for table in alias_tables(aliases_file):
            names |= {h: c for h, c in section_aliases(table, "reviews").items() if c in ("text", "rating")}
    except AliasFileError as exc:
        raise ClassifyError(str(exc)) from None
    found: dict[str, int] = {}
    for at, raw in enumerate(header):
        column = names.get(norm_header(raw))
        if column is None:
            continue
        if column in found:
            raise ClassifyError(f"{path}: columns {header[found[column]]!r} and {raw!r} are both the review "
                                f"{column}; keep one")
        found[column] = at
    if "text" not in found:
        known = ", ".join(h for h, c in names.items() if c == "text")
        raise ClassifyError(f"{path}: no review text column, expected one of: {known} "
                            f"(columns: {', '.join(header) or 'none'})")
    return found["text"], found.get("rating")


def classify_rows(texts: Sequence[str], ratings: Sequence[str], topic_set: TopicSet,
                  model: sentiment.Model) -> Iterator[list[str]]:
    """(score, negative, topic, reason) as CSV cells for each review."""
    cleaned = [clean(raw) for raw in texts]
    scorable = [c.text for c in cleaned if c.text is not None]
    it = iter(model.scores(scorable))  # one batch: far faster than review by review
    for c, raw_rating in zip(cleaned, ratings, strict=True):
        rating, why = parse_rating(raw_rating)
        reasons = list(c.reasons) + ([why] if why else [])
        s = next(it) if c.text is not None else None
        if s is None and rating is None:
            yield ["", "", "", "; ".join(reasons)]
            continue
        negative = sentiment.is_negative(c.text or "", rating, sentiment=s if s is not None else 0.5)
        topic = ""
        if negative:
            topic = ";".join(topic_set.match(c.text)) if c.text else ""
            topic = topic or "other"
        yield ["" if s is None else f"{s:.4f}", "true" if negative else "false", topic, "; ".join(reasons)]


def classify_file(source: Path, output: Path, *, topics: TopicSet | None = None, aliases_file: Path | None = None,
                  model: sentiment.Model | None = None, progress: Callable[[int, int], None] | None = None) -> Result:
    """Score `source` into `output`; `progress(done, total)` is called after each batch of rows.
    `aliases_file` adds header names, as HEADER_ALIASES_FILE does for imports; `model` is
    SENTIMENT_MODEL_FILE's classifier (the shipped one by default)."""
    if output.suffix.lower() in XLSX_SUFFIXES:
        raise ClassifyError(f"{output}: the scored file is CSV, not a workbook; name it .csv")
    header, rows, bom = _read(source)
    text_at, rating_at = review_columns(source, header, aliases_file)
    label_at = next((i for i, h in enumerate(header) if norm_header(h) in LABEL_HEADERS), None)
    check = Check(label_at) if label_at is not None else None
    lower = [h.lower() for h in header]
    width = len(header)
    # each added field goes where the input already has that column, else after the input's columns
    where: dict[str, int] = {}
    out_header = list(header)
    for name in ADDED:
        if name in lower:
            where[name] = lower.index(name)
        else:
            where[name] = len(out_header)
            out_header.append(name)
    topic_set = topics or default_topics()
    scorer = model or sentiment.model()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent)
    negative = marked = 0
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(out_header)
            for start in range(0, len(rows), BATCH):
                batch = rows[start : start + BATCH]
                texts = [r[text_at] if text_at < len(r) else "" for r in batch]
                ratings = [r[rating_at] if rating_at is not None and rating_at < len(r) else "" for r in batch]
                for row, cells in zip(batch, classify_rows(texts, ratings, topic_set, scorer), strict=True):
                    if len(row) > width:  # more cells than headers: kept after the added columns
                        cells[3] = "; ".join(filter(None, [cells[3], f"{len(row) - width} cell(s) beyond the header"]))
                    line = row[:width] + [""] * (len(out_header) - min(len(row), width))
                    for name, cell in zip(ADDED, cells, strict=True):
                        line[where[name]] = cell
                    negative += cells[1] == "true"
                    marked += bool(cells[3])
                    if check is not None:
                        check.add(row, cells[1])
                    writer.writerow(line + row[width:])
                if progress:
                    progress(min(start + BATCH, len(rows)), len(rows))
        os.replace(tmp_name, output)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return Result(len(rows), negative, marked, output, check)


def default_output(source: Path) -> Path:
    """`reviews.csv` → `reviews.scored.csv`, beside the input; a workbook's is CSV too."""
    suffix = source.suffix if source.suffix and source.suffix.lower() not in XLSX_SUFFIXES else ".csv"
    return source.with_name(f"{source.stem}.scored{suffix}")


@dataclass(frozen=True)
class Rated:
    """Reviews with a verdict to fit on (`ecombot sentiment fit`), and what was left out and why."""

    texts: list[str]
    complaints: list[bool]
    by: str  # "label" or "rating": where the verdicts came from
    rows: int
    no_verdict: int  # 3★, no rating, or a label that is neither positive nor negative
    no_text: int  # empty, emoji-only


def rated_reviews(source: Path, aliases_file: Path | None = None) -> Rated:
    """The file's reviews with a verdict: its `label` column where it has one, else its rating (≤ 2★ is a
    complaint, ≥ 4★ is not, SPEC §7)."""
    header, rows, _ = _read(source)
    text_at, rating_at = review_columns(source, header, aliases_file)
    label_at = next((i for i, h in enumerate(header) if norm_header(h) in LABEL_HEADERS), None)
    if label_at is None and rating_at is None:
        raise ClassifyError(f"{source}: no rating or label column to learn from (a rating 1–5, or a label "
                            "1/0, positive/negative, 好评/差评)")
    texts: list[str] = []
    complaints: list[bool] = []
    no_verdict = no_text = 0
    for row in rows:
        def cell(at: int | None, row: list[str] = row) -> str:
            return row[at] if at is not None and at < len(row) else ""

        if label_at is not None:
            verdict = label_is_complaint(cell(label_at))
        else:
            rating, _ = parse_rating(cell(rating_at))
            verdict = None if rating is None or rating == 3 else rating <= 2
        if verdict is None:
            no_verdict += 1
            continue
        text = clean(cell(text_at)).text
        if text is None:
            no_text += 1
            continue
        texts.append(text)
        complaints.append(verdict)
    return Rated(texts, complaints, "label" if label_at is not None else "rating", len(rows), no_verdict, no_text)
