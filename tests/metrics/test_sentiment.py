from __future__ import annotations

import math

import pytest

from metrics.sentiment import is_negative, score, topic, topics

# Hand-written reviews of categories the model never saw (clothing, cosmetics, home), labelled by a
# person: a check that it generalises, not a replay of its training rows.
UNSEEN = [
    ("这件衣服面料很舒服，尺码标准，穿上很显瘦，推荐购买", True),
    ("裤子质量太差了，洗一次就起球掉色，再也不买了", False),
    ("面膜用了脸上红肿刺痛，过敏了，客服还不理人", False),
    ("口红颜色很正，滋润不干，包装也精致，很喜欢", True),
    ("鞋子偏小一码，退货还要自己出运费，体验很差", False),
    ("床单手感柔软，做工精细，性价比很高", True),
    ("收到的是假货，跟专柜的完全不一样，差评", False),
    ("发货速度快，客服态度好，宝贝和描述一致", True),
    ("羽绒服很暖和，款式也好看，老公很满意", True),
    ("味道刺鼻，用了两天就坏了，垃圾产品", False),
    ("物流太慢了，等了十天才到，包装还破了", False),
    ("第二次回购了，一如既往的好用，会继续支持", True),
]


def test_generalises_to_unseen_categories() -> None:
    hits = sum((score(text) >= 0.5) == positive for text, positive in UNSEEN)
    assert hits / len(UNSEEN) >= 0.8, [(t, round(score(t), 2)) for t, _ in UNSEEN]


def test_score_is_a_probability() -> None:
    for text, _ in UNSEEN:
        assert 0.0 <= score(text) <= 1.0
    assert score("") == pytest.approx(score(" "))


def test_rating_overrides_text() -> None:
    assert is_negative("非常好，很满意", rating=1) is True
    assert is_negative("质量太差了，垃圾", rating=5) is False
    assert is_negative("质量太差了，垃圾", rating=3) is True


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("用了之后脸上过敏，而且快递很慢", "safety"),
        ("买到假货了，和描述不符", "counterfeit"),
        ("做工粗糙，质量不行", "quality"),
        ("快递太慢，等了一周", "logistics"),
        ("太贵了，第二天就降价", "price"),
        ("客服态度恶劣，售后推诿", "service"),
        ("还行吧", None),
    ],
)
def test_topics(text: str, expected: str | None) -> None:
    assert topic(text) == expected


def test_several_topics_primary_first() -> None:
    assert topics("用了之后脸上过敏，而且快递很慢，客服也不理人") == ("safety", "logistics", "service")
    assert topic("不贵，但是质量太差") == "quality"  # "不贵" is no price complaint
    assert topic("贵宾楼订不到，前台也不管") == "service"


def test_scores_are_centred_on_the_chosen_threshold() -> None:
    from metrics import sentiment

    m = sentiment.model()
    assert sentiment.NEGATIVE_BELOW == 0.5 and 0.3 <= m.threshold <= 0.85
    # a fitted probability equal to the chosen threshold is scored 0.5, the boundary
    raw = m.log_odds("质量一般") + math.log(m.threshold / (1 - m.threshold))
    assert sentiment.score("质量一般") == pytest.approx(1 / (1 + math.exp(-(raw - math.log(m.threshold /
                                                                                     (1 - m.threshold))))))
    assert is_negative("whatever", sentiment=0.49) is True
    assert is_negative("whatever", sentiment=0.5) is False


def test_odd_inputs_score_without_error() -> None:
    for text in ["", "\x00", "😀😀😀", "<b>很好</b>", "a" * 200_000, "质量很好 but the delivery was late"]:
        assert 0.0 <= score(text) <= 1.0


def test_no_ngram_starts_in_a_negation_scope() -> None:
    from metrics.sentiment import NEGATION_SCOPE, grams

    assert NEGATION_SCOPE == 3
    g = grams("不起球")
    assert {"不", "不起", "不起球"} <= g and not {"起", "起球", "球"} & g
    # the scope is counted in characters after each negator and ends there
    assert "好" in grams("不起球的好") and "的好" not in grams("不起球的好")
    assert {"没", "没变", "没变形"} <= grams("没变形") and "变形" not in grams("没变形")
    assert "变形" in grams("变形了")


# The run-time scorer reads n-grams straight off character codes, many reviews at once; here the
# same sum goes through grams() and a dict, one review at a time: a negator at the end of one review
# must not mute the start of the next, and batches must score as singles.
TRICKY = ["质量不", "臭味很大", "不", "好", "没有起球，很好", "别买", "无", "一点都不油，不晕妆",
          "衣服不起球不掉色不缩水", "不不不不好", "好不好", "未收到货", "", "😀不😀臭", "<b>不</b>错"]


def test_the_vectorised_scorer_is_the_sum_over_grams() -> None:
    from metrics import sentiment

    m = sentiment.model()
    index = {int(k): i for i, k in enumerate(m.keys)}
    expected = []
    for text in TRICKY:
        found = [index[int(k)] for k in sentiment.gram_keys(sorted(sentiment.grams(text))) if int(k) in index]
        num, den = sum(m.weight[i] for i in found), sum(m.idf2[i] for i in found)
        expected.append(m.bias + (num / math.sqrt(den) if den > 0 else 0.0))
    batch = m.log_odds_many(TRICKY)
    assert list(batch) == pytest.approx(expected, abs=1e-9)
    assert [m.log_odds(t) for t in TRICKY] == pytest.approx(expected, abs=1e-9)
