"""Every sentence the bot says, per language: one catalogue of the core texts here and each area's
texts (`texts_jobs`, `texts_budget`, `texts_escalation`, `texts_analysis`), built once; views look texts up.

    t("roi.title", "zh", channel="抖音", window="7d")
"""

from __future__ import annotations

from typing import Any

from handlers.views import texts_analysis, texts_budget, texts_escalation, texts_jobs, texts_suite
from handlers.views.mrkdwn import Mrkdwn, cjk_safe, value

_CORE: dict[str, dict[str, str]] = {
    "en": {
        "roi.title": "ROI · {channel} · {window}",
        "roi.title_all": "ROI by channel · {window}",
        "roi.field.roi": "*ROI*\n{roi}  _({basis})_",
        "roi.field.spend": "*Spend*\n{spend}",
        "roi.field.gmv": "*GMV ({basis})*\n{gmv}",
        "roi.field.channel_gmv": "*Channel GMV*\n{gmv}",
        "roi.field.cpc": "*CPC*\n{cpc}",
        "roi.field.ctr": "*CTR*\n{ctr}",
        "roi.field.prev": "*vs previous {days}d*\n{prev} → {now}  ({change})",
        "roi.basis.attributed": "attributed",
        "roi.basis.channel": "whole-channel",
        "roi.field.other": "*ROI ({basis})*\n{roi}  _(shown, not compared)_",
        "roi.basis_line": "Every channel on one basis: {basis} ROI (ROI_BASIS)",
        "roi.below_floor": ":warning: ROI {roi} is below the floor {floor} for {channel}.",
        "roi.no_spend": "{channel} had no ad spend in {window}, so there is no ROI to show (GMV {gmv}).",
        "roi.no_spend_any": "No channel had ad spend in {window}, so there is no ROI to show.",
        "roi.rank_line": "{rank}. *{channel}*  {roi}  ·  spend {spend}  ·  GMV {gmv}{flag}",
        "roi.rank_none": "{rank}. *{channel}*  no spend  ·  GMV {gmv}",
        "roi.window": "Window {window} ({days} days, {tz}) · ROI floor {floor}",
        "roi.chart_title": "Daily ROI · {channel} · {window}",
        "roi.chart_title_all": "ROI by channel · {window}",
        "roi.chart_floor": "floor {floor}",
        "roi.chart_comment": "Daily ROI for {channel}, {window}",
        "roi.computing": "Computing ROI for {what}…",
        "send.invite": (
            "I can't post in this conversation, so only you see this. "
            "To get the chart here, add me to the channel: `/invite @ecombot`."
        ),
        "send.dm": "I couldn't open a direct message with you, so only you see this; run `{command}` in a channel "
                   "to get the chart.",
        "send.dm_elsewhere": "I answered in our direct message (Apps → ecombot), where the chart can go too.",
        "send.chart_failed": "The figures are posted, but the chart could not be uploaded. Error id `{error_id}`.",
        "err.unknown_channel": "Unknown channel `{name}`.{hint} Known channels: {known}.",
        "err.did_you_mean": " Did you mean `{suggestion}`?",
        "err.window": "{message}",
        "err.usage": "Usage: `{usage}`, e.g. `{example}`.",
        "usage.roi": "/roi [channel] [window]",
        "help.roi": "ROI, spend, GMV, CPC, CTR and a daily ROI chart; no channel ranks every channel",
        "usage.ecombot": "/ecombot help",
        "help.ecombot": "this list",
        "err.internal": "Sorry, I couldn't compute that. Error id `{error_id}` — an admin can look it up in the logs.",
        "footer.data_as_of": "data as of {when}",
        "source.orders": "orders",
        "source.ad_spend": "ad_spend",
        "source.traffic": "traffic",
        "source.inventory": "inventory",
        "source.reviews": "reviews",
        "help.title": "ecombot commands",
        "help.line": "`{usage}` — {text}\n    e.g. `{example}`",
        "help.intro": "Figures come from the imported shop data; windows: {grammar}.",
    },
    "zh": {
        "roi.title": "投产比 · {channel} · {window}",
        "roi.title_all": "各渠道投产比 · {window}",
        "roi.field.roi": "*投产比 ROI*\n{roi}  _({basis})_",
        "roi.field.spend": "*花费*\n{spend}",
        "roi.field.gmv": "*GMV（{basis}）*\n{gmv}",
        "roi.field.channel_gmv": "*渠道 GMV*\n{gmv}",
        "roi.field.cpc": "*CPC*\n{cpc}",
        "roi.field.ctr": "*CTR*\n{ctr}",
        "roi.field.prev": "*环比（前 {days} 天）*\n{prev} → {now}（{change}）",
        "roi.basis.attributed": "归因",
        "roi.basis.channel": "全渠道",
        "roi.field.other": "*投产比（{basis}）*\n{roi}  _（仅供参考，不参与比较）_",
        "roi.basis_line": "各渠道统一口径：{basis}投产比（ROI_BASIS）",
        "roi.below_floor": ":warning: {channel} 投产比 {roi} 低于底线 {floor}。",
        "roi.no_spend": "{channel} 在 {window} 没有广告花费，无法计算投产比（GMV {gmv}）。",
        "roi.no_spend_any": "{window} 所有渠道均无广告花费，无法计算投产比。",
        "roi.rank_line": "{rank}. *{channel}*  {roi}  ·  花费 {spend}  ·  GMV {gmv}{flag}",
        "roi.rank_none": "{rank}. *{channel}*  无花费  ·  GMV {gmv}",
        "roi.window": "区间 {window}（{days} 天，{tz}）· 投产比底线 {floor}",
        "roi.chart_title": "每日投产比 · {channel} · {window}",
        "roi.chart_title_all": "各渠道投产比 · {window}",
        "roi.chart_floor": "底线 {floor}",
        "roi.chart_comment": "{channel} 每日投产比，{window}",
        "roi.computing": "正在计算 {what} 的投产比…",
        "send.invite": "我无法在此会话发消息，以下内容仅你可见。请先把我加入频道：`/invite @ecombot`。",
        "send.dm": "无法与你开启私信，以下内容仅你可见；在频道中使用 `{command}` 可获得图表。",
        "send.dm_elsewhere": "已在你与我的私信中回复（应用 → ecombot），图表也在那里。",
        "send.chart_failed": "数据已发送，但图表上传失败。错误编号 `{error_id}`。",
        "err.unknown_channel": "未知渠道 `{name}`。{hint}已知渠道：{known}。",
        "err.did_you_mean": "你是想输入 `{suggestion}` 吗？",
        "err.window": "{message}",
        "err.usage": "用法：`{usage}`，例如 `{example}`。",
        "usage.roi": "/roi [渠道] [区间]",
        "help.roi": "投产比、花费、GMV、CPC、CTR 及每日投产比图；不填渠道则各渠道排名",
        "usage.ecombot": "/ecombot help",
        "help.ecombot": "本列表",
        "err.internal": "抱歉，计算失败。错误编号 `{error_id}`，管理员可在日志中查询。",
        "footer.data_as_of": "数据截至 {when}",
        "source.orders": "订单",
        "source.ad_spend": "广告花费",
        "source.traffic": "流量",
        "source.inventory": "库存",
        "source.reviews": "评价",
        "help.title": "ecombot 命令",
        "help.line": "`{usage}` — {text}\n    例如 `{example}`",
        "help.intro": "数据来自已导入的店铺数据；区间写法：{grammar}。",
    },
}

def _catalogue(*tables: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """One table per language from every area's texts; a key defined twice is a mistake, refused here."""
    out: dict[str, dict[str, str]] = {}
    for table in tables:
        for lang, entries in table.items():
            merged = out.setdefault(lang, {})
            twice = sorted(merged.keys() & entries.keys())
            if twice:
                raise ValueError(f"text keys defined twice for {lang!r}: {', '.join(twice)}")
            merged.update(entries)
    return out


TEXTS: dict[str, dict[str, str]] = _catalogue(_CORE, texts_jobs.TEXTS, texts_budget.TEXTS, texts_escalation.TEXTS,
                                              texts_suite.TEXTS, texts_analysis.TEXTS)
LOCALES = tuple(TEXTS)


def t(key: str, locale: str = "en", **values: Any) -> str:
    """The sentence `key` in `locale` with `values` filled in, escaped unless they are `Mrkdwn` themselves:
    a review, a product name or a reason is shown as written, never read as a mention or a link.
    The result is `Mrkdwn` (typed as str), so it can be a value of another sentence as it is."""
    table = TEXTS.get(locale, TEXTS["en"])
    template = table.get(key) or TEXTS["en"][key]
    text = template.format(**{k: value(v) for k, v in values.items()}) if values else template
    return Mrkdwn(cjk_safe(text))
