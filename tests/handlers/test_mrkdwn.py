"""mrkdwn built in one place: values escaped, the bot's own markup kept, bold that renders next to CJK."""

from __future__ import annotations

from handlers.views.blocks import button, header_block
from handlers.views.mrkdwn import Mrkdwn, cjk_safe, escape, link, mention
from handlers.views.texts import t

ZW = "\u200b"


def test_escape_is_the_three_characters_slack_reads() -> None:
    assert escape("a & b < c > d") == "a &amp; b &lt; c &gt; d"
    assert escape("&lt;") == "&amp;lt;"  # escaped once more: what the user typed is what is shown
    assert escape(42) == "42"


def test_sentence_values_are_escaped_unless_the_bot_wrote_them() -> None:
    said = t("err.unknown_channel", "en", name="<!channel>", hint="", known="douyin")
    assert "<!channel>" not in said and "&lt;!channel&gt;" in said
    said = t("budget.card.reason", "en", reason=Mrkdwn("<@U0MEI>"))
    assert "<@U0MEI>" in said
    nested = t("err.unknown_channel", "en", name="x", hint=t("err.did_you_mean", "en", suggestion="<b>"),
               known="douyin")
    assert "&lt;b&gt;" in nested and "&amp;lt;" not in nested  # a sentence inside a sentence: escaped once


def test_mentions_and_links_escape_what_they_wrap() -> None:
    assert mention("U0MEI") == "<@U0MEI>"
    assert link("https://x.example/?a=1&b=2", "a|b<c") == "<https://x.example/?a=1&amp;b=2|a¦b&lt;c>"


def test_plain_text_fields_show_the_characters_themselves() -> None:
    header = header_block(t("roi.title", "en", channel="A&B <co>", window="7d"))
    assert header["text"]["text"] == "ROI · A&B <co> · 7d"
    label = button("x", t("roi.title", "en", channel="<&>", window="7d"), "v").to_dict()["text"]["text"]
    assert label == "ROI · <&> · 7d"


def test_bold_next_to_cjk_gets_a_boundary_slack_accepts() -> None:
    # Slack shows `GMV *¥54,441.94*（…` with literal asterisks: the closing * touches a full-width bracket
    assert cjk_safe("GMV *¥54,441.94*（环比）") == f"GMV *¥54,441.94*{ZW}（环比）"
    assert cjk_safe("抖音*投产比*低") == f"抖音{ZW}*投产比*{ZW}低"
    assert cjk_safe("*a*，*b*") == f"*a*{ZW}，{ZW}*b*"
    # already at a boundary: nothing added
    assert cjk_safe("plain *bold* here, (*x*)") == "plain *bold* here, (*x*)"
    assert cjk_safe("*投产比 ROI*\n1:2") == "*投产比 ROI*\n1:2"
    assert cjk_safe("a * b * c") == "a * b * c"
    assert cjk_safe(cjk_safe("抖音*x*低")) == cjk_safe("抖音*x*低")  # idempotent


def test_chinese_sentences_come_out_with_renderable_bold() -> None:
    # the daily report's zh line used to show literal asterisks: `GMV *¥54,441.94*（日环比 …`
    said = t("report.kpis", "zh", gmv="¥54,441.94", d1="▲ 1.0%", w1="▼ 2.0%", orders=1, buyers=1, uv=1,
             cvr="1%", aov="¥1.00", spend="¥1.00", roi="1:2.00")
    assert f"GMV *¥54,441.94*{ZW}（日环比" in said
