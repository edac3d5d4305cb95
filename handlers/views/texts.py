"""Every sentence the bot says, per language (BOT_LOCALE). Views look texts up; nothing else holds prose.

    t("roi.title", "zh", channel="抖音", window="7d")
"""

from __future__ import annotations

from typing import Any

TEXTS: dict[str, dict[str, str]] = {
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
        "roi.invite": (
            "I can't post in this conversation, so only you see this. "
            "To get the chart here, add me to the channel: `/invite @ecombot`."
        ),
        "roi.dm": "In a direct message I can only answer you here; run `/roi` in a channel to get the chart.",
        "roi.chart_failed": "The figures are posted, but the chart could not be uploaded. Error id `{error_id}`.",
        "err.unknown_channel": "Unknown channel `{name}`.{hint} Known channels: {known}.",
        "err.did_you_mean": " Did you mean `{suggestion}`?",
        "err.window": "{message}",
        "err.usage_roi": "Usage: `/roi [channel] [window]`, e.g. `/roi douyin 30d`.",
        "err.internal": "Sorry, I couldn't compute that. Error id `{error_id}` — an admin can look it up in the logs.",
        "footer.data_as_of": "data as of {when}",
        "help.title": "ecombot commands",
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
        "roi.invite": "我无法在此会话发消息，以下内容仅你可见。请先把我加入频道：`/invite @ecombot`。",
        "roi.dm": "私信中只能回复你本人；在频道中使用 `/roi` 可获得图表。",
        "roi.chart_failed": "数据已发送，但图表上传失败。错误编号 `{error_id}`。",
        "err.unknown_channel": "未知渠道 `{name}`。{hint}已知渠道：{known}。",
        "err.did_you_mean": "你是想输入 `{suggestion}` 吗？",
        "err.window": "{message}",
        "err.usage_roi": "用法：`/roi [渠道] [区间]`，例如 `/roi douyin 30d`。",
        "err.internal": "抱歉，计算失败。错误编号 `{error_id}`，管理员可在日志中查询。",
        "footer.data_as_of": "数据截至 {when}",
        "help.title": "ecombot 命令",
        "help.intro": "数据来自已导入的店铺数据；区间写法：{grammar}。",
    },
}

# One line per command: (usage, example, description en, description zh). Later commands add rows.
COMMANDS: list[tuple[str, str, str, str]] = [
    ("/roi [channel] [window]", "/roi douyin 30d", "ROI, spend, GMV, CPC, CTR and a daily ROI chart; "
     "no channel ranks every channel", "投产比、花费、GMV、CPC、CTR 及每日投产比图；不填渠道则各渠道排名"),
    ("/ecombot help", "/ecombot help", "this list", "本列表"),
]


def _merge() -> None:
    from handlers.views import texts_budget, texts_escalation, texts_jobs

    for module in (texts_jobs, texts_budget, texts_escalation):
        for lang, table in module.TEXTS.items():
            TEXTS.setdefault(lang, {}).update(table)
        COMMANDS[-1:-1] = module.COMMANDS  # keep `/ecombot help` last


_merge()


def t(key: str, locale: str = "en", **values: Any) -> str:
    table = TEXTS.get(locale, TEXTS["en"])
    template = table.get(key) or TEXTS["en"][key]
    return template.format(**values) if values else template
