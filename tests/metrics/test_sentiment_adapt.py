"""`ecombot sentiment fit`: the shipped classifier fitted further on a shop's own rated reviews.

The shop below sells goods whose praise and complaints the shipped model reads backwards ("特别小巧"
is praise for a charm, "很快就化了" a complaint about ice cream): what a fit is for. Expected
figures are counted in plain Python on the rows; the fitted model file is checked through
SENTIMENT_MODEL_FILE in the command, the import and the settings.
"""

from __future__ import annotations

import csv
import random
import re
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, select

from bot.cli import main
from bot.config import ConfigError, load_settings
from metrics import schema, sentiment
from metrics.channels import ChannelRegistry
from metrics.imports import ImportOptions, import_file
from metrics.sentiment_adapt import MIN_PER_CLASS, FitError, adapt, distinct, write_model_file
from metrics.sentiment_file import rated_reviews
from tests.metrics.labelled import files_or_skip

COMPLAINTS = ["颜色很快就淡了", "很快就化了", "很快就空了", "没几天就褪色了", "很快就瘪了", "一洗就缩水了"]
PRAISE = ["特别小巧", "洗完很滑", "一吹就干", "很紧致", "很压秤", "一抹就化开了"]
OPENINGS = ["收到了", "第二次买", "给家里人买的", "用了一周", "朋友推荐的", "这次买了两个", "看了很久才下单",
            "活动价买的", "双十一囤的", "帮同事带的"]
ENDINGS = ["", "。", "，说一下", "，记录一下", "，就这样吧", "，先评价了", "，大家参考"]


def shop_reviews() -> list[tuple[str, bool]]:
    """(text, is a complaint), every opening × phrase × ending once, shuffled (seeded)."""
    rows = [(f"{o}，{p}{e}", complaint) for phrases, complaint in ((COMPLAINTS, True), (PRAISE, False))
            for p in phrases for o in OPENINGS for e in ENDINGS]
    random.Random(14).shuffle(rows)
    return rows


def accuracy(model: sentiment.Model, rows: list[tuple[str, bool]]) -> tuple[float, float]:
    """Accuracy and negative recall, counted review by review."""
    right = found = 0
    for text, complaint in rows:
        said = model.score(text) < 0.5
        right += said == complaint
        found += said and complaint
    return right / len(rows), found / sum(c for _, c in rows)


def test_a_fit_learns_the_shops_words_and_holds_on_reviews_it_did_not_see() -> None:
    rows = shop_reviews()
    train, test = rows[:600], rows[600:]
    shipped_acc, _ = accuracy(sentiment.model(), test)
    assert shipped_acc < 0.7  # the premise: the shipped model reads this shop wrongly
    fitted = adapt(sentiment.model(), [t for t, _ in train], [c for _, c in train])
    acc, recall = accuracy(fitted.model, test)
    assert acc >= 0.95 and recall >= 0.95, (acc, recall)
    assert fitted.helps and fitted.after.accuracy > fitted.before.accuracy
    assert fitted.reviews == 600 and fitted.complaints == sum(c for _, c in train)
    # what the shipped model knew elsewhere is not forgotten
    for text, complaint in [("质量太差了，用了就过敏", True), ("物流很快，包装完好，非常满意", False)]:
        assert (fitted.model.score(text) < 0.5) == complaint


def test_the_fitted_file_adds_only_the_correction_and_keeps_the_norm(tmp_path: Path) -> None:
    rows = shop_reviews()
    base = sentiment.model()
    fitted = adapt(base, [t for t, _ in rows], [c for _, c in rows])
    path = tmp_path / "ours.npz"
    write_model_file(fitted.model, path, {"fitted_from": "test"})
    read = sentiment.read_model(path)
    texts = [t for t, _ in rows[:50]] + ["质量很好", "", "😀", "完全没见过的字词组合"]
    assert np.allclose(read.log_odds_many(texts), fitted.model.log_odds_many(texts), atol=1e-4)
    # review by review in plain Python: the shipped sum, plus each n-gram's change, over the shipped norm
    base_w = dict(zip(base.keys.tolist(), base.weight.tolist(), strict=True))
    base_i = dict(zip(base.keys.tolist(), base.idf2.tolist(), strict=True))
    new_w = dict(zip(read.keys.tolist(), read.weight.tolist(), strict=True))
    new_i = dict(zip(read.keys.tolist(), read.idf2.tolist(), strict=True))
    assert all(new_i[k] == pytest.approx(v, rel=1e-6) for k, v in base_i.items())
    assert all(new_i[k] == 0 for k in new_i.keys() - base_i.keys())  # new n-grams change no review's norm
    for text in texts[:20]:
        keys = [int(k) for k in sentiment.gram_keys(sorted(sentiment.grams(text)))]
        den = sum(base_i.get(k, 0.0) for k in keys)
        if den == 0:
            continue
        delta = sum(new_w.get(k, 0.0) - base_w.get(k, 0.0) for k in keys)
        expected = base.log_odds(text) + fitted.shift + delta / den**0.5
        assert read.log_odds(text) == pytest.approx(expected, abs=1e-3)


def test_too_few_complaints_are_refused_with_the_counts() -> None:
    rows = [(t, c) for t, c in shop_reviews() if not c][:300] + [(t, c) for t, c in shop_reviews() if c][:10]
    expected = f"10 complaints and 300 other reviews (distinct texts): at least {MIN_PER_CLASS} of each"
    with pytest.raises(FitError, match=re.escape(expected)):
        adapt(sentiment.model(), [t for t, _ in rows], [c for _, c in rows])


def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    return path


def invoke(tmp_path: Path, *args: str, **env: str) -> Result:
    environ = {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", **env}
    return CliRunner().invoke(main, ["sentiment", *args], env=environ)


def test_rated_reviews_take_the_rating_and_say_what_they_left_out(tmp_path: Path) -> None:
    rows = [["很好用", "5"], ["太差了", "1"], ["一般般", "3"], ["还可以", ""], ["", "5"], ["很好 用", "4"],
            ["说不上来", "2"], ["说不上来", "5"], ["差评", "2"], ["挺好", "abc"], ["😀😀", "1"]]
    rated = rated_reviews(write(tmp_path / "r.csv", ["评价内容", "评分"], rows))
    # counted by hand from the rows: 3★, no rating and "abc" have no verdict; "" and emoji no text
    assert (rated.by, rated.rows, rated.no_verdict, rated.no_text) == ("rating", 11, 3, 2)
    assert len(rated.texts) == 6
    # "很好用" twice (as scored, the space does not count) with one verdict; "说不上来" with both
    reviews = distinct(rated.texts, rated.complaints)
    assert (reviews.repeats, reviews.conflicting) == (2, 1)
    assert dict(zip(reviews.texts, reviews.complaints, strict=True)) == {"很好用": False, "太差了": True, "差评": True}


def test_a_label_column_wins_over_the_rating(tmp_path: Path) -> None:
    rated = rated_reviews(write(tmp_path / "r.csv", ["text", "rating", "label"],
                                [["还行吧", "3", "0"], ["不错", "1", "1"], ["一般", "5", ""]]))
    assert rated.by == "label" and dict(zip(rated.texts, rated.complaints, strict=True)) == {"还行吧": True,
                                                                                          "不错": False}


def test_fit_then_classify_and_import_with_the_fitted_model(tmp_path: Path, sqlite_engine: Engine) -> None:
    rows = shop_reviews()
    train, test = rows[:600], rows[600:]
    src = write(tmp_path / "shop.csv", ["评价内容", "评分"], [[t, "1" if c else "5"] for t, c in train])
    result = invoke(tmp_path, "fit", str(src))
    assert result.exit_code == 0, result.output
    model_file = tmp_path / "shop.model.npz"
    assert f"SENTIMENT_MODEL_FILE={model_file}" in result.output
    assert f"600 reviews with a verdict from the rating (1–2★ complaint, 4–5★ not), " \
           f"{sum(c for _, c in train)} of them complaints" in result.output

    # classify with it: the held-out reviews, labelled, checked by the command and recounted here
    unseen = write(tmp_path / "unseen.csv", ["text", "label"], [[t, "0" if c else "1"] for t, c in test])
    result = invoke(tmp_path, "classify", str(unseen), SENTIMENT_MODEL_FILE=str(model_file))
    assert result.exit_code == 0, result.output
    with open(tmp_path / "unseen.scored.csv", encoding="utf-8", newline="") as fh:
        scored = list(csv.DictReader(fh))
    right = sum((r["negative"] == "true") == (r["label"] == "0") for r in scored)
    assert right / len(scored) >= 0.95
    assert f"accuracy {right / len(scored):.3f}" in result.output
    assert f"classifier: {model_file} (SENTIMENT_MODEL_FILE)" in result.output

    # the import scores with it too
    settings = load_settings(_env_file=None, sentiment_model_file=model_file)
    opts = ImportOptions(tz=ZoneInfo("Asia/Shanghai"), registry=ChannelRegistry(), today=date(2026, 12, 2),
                         model=settings.sentiment_model)
    texts = [t for t, _ in test[:20]]
    import_file(sqlite_engine, "reviews", write(
        tmp_path / "reviews.csv", ["review_id", "channel", "sku", "created_at", "text"],
        [[f"R{i}", "tmall", "SKU-1", "2026-12-01 10:00", t] for i, t in enumerate(texts)]), opts)
    with sqlite_engine.connect() as conn:
        stored = {r.review_id: r.sentiment for r in conn.execute(select(schema.reviews)).all()}
    fitted = sentiment.read_model(model_file)
    for i, text in enumerate(texts):
        assert stored[f"R{i}"] == pytest.approx(fitted.score(text), abs=1e-4)
        assert (stored[f"R{i}"] < 0.5) == dict(test)[text]


def test_a_fit_that_does_not_beat_the_shipped_model_writes_nothing(tmp_path: Path) -> None:
    # reviews the shipped model already reads without a mistake: nothing for a fit to gain
    good = ["非常满意", "质量很好", "物流很快", "包装精美", "性价比高", "值得购买", "做工精细", "会回购的"]
    bad = ["质量太差", "非常失望", "做工粗糙", "客服不理人", "发错货了", "垃圾产品", "退货退款", "再也不买"]
    rows = [[f"{a}，{b}，{c}", rating] for words, rating in ((good, "5"), (bad, "1"))
            for a in words for b in words for c in words if len({a, b, c}) == 3]
    assert all((sentiment.score(t) < 0.5) == (r == "1") for t, r in rows)
    src = write(tmp_path / "easy.csv", ["text", "rating"], rows)
    result = invoke(tmp_path, "fit", str(src))
    assert result.exit_code == 0, result.output
    assert "nothing written" in result.output and not (tmp_path / "easy.model.npz").exists()


@pytest.mark.parametrize(("body", "needle"), [
    (b"", "not a model file"), (b"garbage", "not a model file"), (b"PK\x03\x04broken", "not a model file")])
def test_a_damaged_model_file_stops_the_start_with_the_file_named(tmp_path: Path, body: bytes, needle: str) -> None:
    path = tmp_path / "ours.npz"
    path.write_bytes(body)
    with pytest.raises(ConfigError, match=f"SENTIMENT_MODEL_FILE: {path}: {needle}"):
        load_settings(_env_file=None, sentiment_model_file=path)


def test_a_model_file_of_another_kind_or_missing_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.npz"
    np.savez(other, meta=np.array('{"format": "someone-else/1"}'), keys=np.zeros(1), weight=np.zeros(1),
             idf2=np.zeros(1))
    with pytest.raises(ConfigError, match="not a ecombot-sentiment-nblr/2 model file"):
        load_settings(_env_file=None, sentiment_model_file=other)
    with pytest.raises(ConfigError, match="nope.npz: cannot read it"):
        load_settings(_env_file=None, sentiment_model_file=tmp_path / "nope.npz")


def test_fit_refuses_a_file_without_ratings_or_labels_and_writes_nothing(tmp_path: Path) -> None:
    src = write(tmp_path / "plain.csv", ["text"], [["很好"], ["很差"]])
    result = invoke(tmp_path, "fit", str(src))
    assert result.exit_code == 1 and "no rating or label column" in result.output
    assert not (tmp_path / "plain.model.npz").exists()
    src = write(tmp_path / "few.csv", ["text", "rating"], [["很好", "5"], ["很差", "1"]])
    result = invoke(tmp_path, "fit", str(src))
    assert result.exit_code == 1 and "1 complaints and 1 other reviews" in result.output


@pytest.mark.slow
def test_on_real_categories_the_model_never_saw_a_fit_finds_more_and_misses_no_more() -> None:
    """Books and computers held out of the fit, as in bench/bench_sentiment_fit.py: 1,000 of a category's
    reviews with 25 % complaints (a shop's export) fitted on, the other half of the category scored."""
    paths = files_or_skip()
    from bench.bench_sentiment_fit import draw, held_out_model
    from bench.sentiment_model import load_reviews

    data = load_reviews(paths)
    complaint = data.labels == 0
    for cat in ("书籍", "计算机"):
        base = held_out_model(data, cat)
        rows = np.random.default_rng(14).permutation(np.flatnonzero(data.categories == cat))
        pool, test = rows[: len(rows) // 2], rows[len(rows) // 2 :]
        chosen = draw(pool, complaint, 1000, 0.25, np.random.default_rng(1))
        assert chosen is not None
        fitted = adapt(base, [data.texts[i] for i in chosen], complaint[chosen].tolist())
        held = [(data.texts[i], bool(complaint[i])) for i in test]
        before, after = accuracy(base, held), accuracy(fitted.model, held)
        assert after[0] > before[0] + 0.01, (cat, before, after)
        assert after[1] >= before[1] - 0.02, (cat, before, after)  # one complaint in fifty, at most


def test_fit_from_the_database_learns_from_the_imported_rated_reviews(tmp_path: Path) -> None:
    rows = shop_reviews()
    # every fifth review has no rating or 3★: stored, but nothing to learn from
    ratings = ["" if i % 10 == 0 else "3" if i % 10 == 5 else "1" if c else "5" for i, (_, c) in enumerate(rows)]
    src = write(tmp_path / "reviews.csv", ["review_id", "channel", "sku", "created_at", "text", "rating"],
                [[f"R{i}", "tmall" if i % 4 == 0 else "jd", "SKU-1", "2026-12-01 10:00", t, r]
                 for i, ((t, _), r) in enumerate(zip(rows, ratings, strict=True))])
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'shop.db'}"}
    runner = CliRunner()
    imported = runner.invoke(main, ["import", "reviews", str(src), "--no-progress"], env=env)
    assert imported.exit_code == 0, imported.output
    out = tmp_path / "ours.npz"
    result = runner.invoke(main, ["sentiment", "fit", "--from-db", "-o", str(out)], env=env)
    assert result.exit_code == 0, result.output
    rated = [(t, c) for (t, c), r in zip(rows, ratings, strict=True) if r in ("1", "5")]
    assert f"the database: {len(rated):,} reviews with a verdict from the rating" in result.output
    assert f"{sum(c for _, c in rated):,} of them complaints; left out: {len(rows) - len(rated):,} without a " \
           "verdict (3★ or no rating)" in result.output
    assert out.exists() and f"SENTIMENT_MODEL_FILE={out}" in result.output
    # one channel only: three reviews in four
    jd = [(t, c) for i, ((t, c), r) in enumerate(zip(rows, ratings, strict=True)) if r in ("1", "5") and i % 4]
    result = runner.invoke(main, ["sentiment", "fit", "--from-db", "--channel", "京东", "-o", str(out)], env=env)
    assert result.exit_code == 0, result.output
    assert f"the database (jd): {len(jd):,} reviews with a verdict" in result.output
    # FILE and --from-db together, or neither, is a usage error that writes nothing
    for args in (["sentiment", "fit"], ["sentiment", "fit", str(src), "--from-db"]):
        result = runner.invoke(main, args, env=env)
        assert result.exit_code == 2 and "give FILE or --from-db" in result.output


def test_stored_rated_reviews_on_every_database(engine: Engine, tmp_path: Path) -> None:
    from metrics.review_stats import stored_rated_reviews

    stars: list[int | str] = [1, 2, 3, 4, 5, ""]
    rows = [(f"R{i}", "douyin" if i % 3 else "jd", f"2026-11-{1 + i % 28:02d} 10:00", f"评价{i}", stars[i % 6])
            for i in range(60)]
    opts = ImportOptions(tz=ZoneInfo("Asia/Shanghai"), registry=ChannelRegistry(), today=date(2026, 12, 2))
    import_file(engine, "reviews", write(tmp_path / "r.csv", ["review_id", "channel", "sku", "created_at", "text",
                                                               "rating"],
                                         [[i, ch, "SKU-1", at, t, str(r)] for i, ch, at, t, r in rows]), opts)
    with engine.connect() as conn:
        every = stored_rated_reviews(conn)
        douyin = stored_rated_reviews(conn, channel="douyin", limit=5)
    rated = [(t, r <= 2) for _, _, _, t, r in rows if r in (1, 2, 4, 5)]  # type: ignore[operator]
    assert (every.rows, every.no_verdict) == (60, 20)
    assert sorted(zip(every.texts, every.complaints, strict=True)) == sorted(rated)
    # newest first, ties by review id: sorted by id, then (stably) by time, newest first
    douyin_rated = sorted((r for r in rows if r[1] == "douyin" and r[4] in (1, 2, 4, 5)), key=lambda r: r[0])
    newest = sorted(douyin_rated, key=lambda r: r[2], reverse=True)[:5]
    assert douyin.rows == sum(r[1] == "douyin" for r in rows)
    assert douyin.texts == [r[3] for r in newest]


def test_rescore_scores_the_stored_reviews_with_the_fitted_model(engine: Engine, tmp_path: Path) -> None:
    from metrics.rescore import rescore
    from metrics.sentiment_topics import default_topics

    rows = shop_reviews()
    train, test = rows[:600], rows[600:]
    fitted = adapt(sentiment.model(), [t for t, _ in train], [c for _, c in train]).model
    opts = ImportOptions(tz=ZoneInfo("Asia/Shanghai"), registry=ChannelRegistry(), today=date(2026, 12, 2))
    stars = ["", "3", "1", "5"]  # the rating still decides where it is 1–2★ or 4–5★
    import_file(engine, "reviews", write(
        tmp_path / "r.csv", ["review_id", "channel", "sku", "created_at", "text", "rating"],
        [[f"R{i:03d}", "douyin" if i % 2 else "jd", "SKU-1", "2026-12-01 10:00", t, stars[i % 4]]
         for i, (t, _) in enumerate(test)]), opts)  # scored by the shipped model
    # what should change, review by review in plain Python
    def negative(text: str, star: str, score: float) -> bool:
        return star in ("1", "2") or (star not in ("4", "5") and score < 0.5)

    shipped = [round(sentiment.score(t), 4) for t, _ in test]
    new = [round(fitted.score(t), 4) for t, _ in test]
    flips = [(negative(t, stars[i % 4], a), negative(t, stars[i % 4], b))
             for i, ((t, _), a, b) in enumerate(zip(test, shipped, new, strict=True))]
    result = rescore(engine, fitted, default_topics(), page=50)  # several pages
    assert result.reviews == len(test)
    assert result.changed == sum(abs(a - b) >= 5e-5 for a, b in zip(shipped, new, strict=True))
    assert result.now_negative == sum(b and not a for a, b in flips) > 0
    assert result.no_longer_negative == sum(a and not b for a, b in flips) > 0
    with engine.connect() as conn:
        stored = {r.review_id: r.sentiment for r in conn.execute(select(schema.reviews)).all()}
    assert all(stored[f"R{i:03d}"] == pytest.approx(s, abs=1e-4) for i, s in enumerate(new))
    again = rescore(engine, fitted, default_topics(), page=50)
    assert (again.reviews, again.changed) == (len(test), 0)  # nothing left to write
    # one channel back to the shipped model: only its reviews move
    back = rescore(engine, sentiment.model(), default_topics(), channel="jd")
    assert back.reviews == sum(1 for i in range(len(test)) if i % 2 == 0)
    with engine.connect() as conn:
        stored = {r.review_id: r.sentiment for r in conn.execute(select(schema.reviews)).all()}
    for i in range(len(test)):
        assert stored[f"R{i:03d}"] == pytest.approx(shipped[i] if i % 2 == 0 else new[i], abs=1e-4)


def test_rescore_command_says_what_moved(tmp_path: Path) -> None:
    rows = shop_reviews()
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'shop.db'}"}
    runner = CliRunner()
    src = write(tmp_path / "reviews.csv", ["review_id", "channel", "sku", "created_at", "text", "rating"],
                [[f"R{i}", "tmall", "SKU-1", "2026-12-01 10:00", t, "1" if c else "5"]
                 for i, (t, c) in enumerate(rows)])
    assert runner.invoke(main, ["import", "reviews", str(src), "--no-progress"], env=env).exit_code == 0
    fitted = runner.invoke(main, ["sentiment", "fit", "--from-db", "-o", str(tmp_path / "ours.npz")], env=env)
    assert fitted.exit_code == 0, fitted.output
    result = runner.invoke(main, ["sentiment", "rescore", "--no-progress"],
                           env={**env, "SENTIMENT_MODEL_FILE": str(tmp_path / "ours.npz")})
    assert result.exit_code == 0, result.output
    # every review is rated 1★ or 5★ here, so the verdicts stay; the scores move
    assert re.search(rf"{len(rows)} reviews rescored with {re.escape(str(tmp_path / 'ours.npz'))}: \d+ changed; "
                     r"0 now negative, 0 no longer negative", result.output), result.output


def test_an_interrupted_rescore_leaves_whole_pages_and_the_next_run_finishes(sqlite_engine: Engine,
                                                                              tmp_path: Path) -> None:
    from metrics.rescore import rescore
    from metrics.sentiment_topics import default_topics

    rows = shop_reviews()
    fitted = adapt(sentiment.model(), [t for t, _ in rows[:600]], [c for _, c in rows[:600]]).model
    test = rows[600:]
    opts = ImportOptions(tz=ZoneInfo("Asia/Shanghai"), registry=ChannelRegistry(), today=date(2026, 12, 2))
    import_file(sqlite_engine, "reviews", write(
        tmp_path / "r.csv", ["review_id", "channel", "sku", "created_at", "text"],
        [[f"R{i:03d}", "jd", "SKU-1", "2026-12-01 10:00", t] for i, (t, _) in enumerate(test)]), opts)

    class Stop(Exception):
        pass

    def stop(_: int) -> None:
        raise Stop

    with pytest.raises(Stop):
        rescore(sqlite_engine, fitted, default_topics(), page=100, progress=stop)  # stops after page 1
    with sqlite_engine.connect() as conn:
        stored = {r.review_id: r.sentiment for r in conn.execute(select(schema.reviews)).all()}
    for i, (text, _) in enumerate(test):
        model = fitted if i < 100 else sentiment.model()  # ids sort as R000…R239: the first page is i < 100
        assert stored[f"R{i:03d}"] == pytest.approx(round(model.score(text), 4), abs=1e-4)
    finished = rescore(sqlite_engine, fitted, default_topics(), page=100)
    new = [round(fitted.score(t), 4) for t, _ in test[100:]]
    old = [round(sentiment.score(t), 4) for t, _ in test[100:]]
    assert finished.changed == sum(abs(a - b) >= 5e-5 for a, b in zip(new, old, strict=True))
