"""Texts of negative-review escalations (SPEC §7): levels, calls to act, digests, thread notes.

The topic names and the pre-approved responses (the handbook's "标准化回应模板库", seed 001) are data a
team edits without touching code: metrics/sentiment_topics.toml, or its own SENTIMENT_TOPICS_FILE.
"""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "esc.level.1": "Level Ⅰ",
        "esc.level.2": "Level Ⅱ",
        "esc.level.3": "Level Ⅲ",
        "esc.title.1": ":rotating_light: Level Ⅰ negative-review incident · {subject}",
        "esc.title.2": ":warning: Level Ⅱ negative-review incident · {subject}",
        "esc.text": "{level} negative-review incident: {subject} — {count} negative in 24 h",
        "esc.subject.sku": "{name} ({sku})",
        "esc.subject.social": "social posts on {topic}",
        "esc.body": "*{count}* negative reviews in the last 24 h · {channels} · topic: *{topic}*{reach}",
        "esc.reach": " · loudest author: {followers} followers",
        "esc.why.count": "Level {level}: {count} negative reviews in 24 h (threshold {limit}).",
        "esc.why.followers": "Level {level}: an author with {followers} followers (threshold {limit}).",
        "esc.why.safety": "Level Ⅰ: a safety complaint (allergy, injury) is always Level Ⅰ.",
        "esc.why.rest": "Level Ⅲ: below the Level Ⅱ thresholds.",
        "esc.call": "{mention} Acknowledge by *{ack_by}* (1 h) · first response by {respond_by} (4 h) · "
                    "solution by {solve_by} (24 h).",
        "esc.call.2": "First response by {respond_by} (4 h) · solution by {solve_by} (24 h).",
        "esc.samples": "*What they say*\n{lines}",
        "esc.template": "*Pre-approved response · {topic}*\n```{reply}```",
        "esc.btn.resolve": "Resolve",
        "esc.btn.rca": "Root-cause report filed",
        "esc.digest.title": "Customer-service digest · {n} minor incident(s)",
        "esc.digest.text": "Customer-service digest: {n} minor negative-review incident(s)",
        "esc.digest.line": "*{subject}* · {count} negative in 24 h · {topic}\n>{sample}",
        "esc.digest.reply": "Reply with the pre-approved response for the topic; escalate to ops if it grows.",
        "esc.grew": ":chart_with_upwards_trend: {new} more negative review(s) since the last update — "
                    "{count} in the last 24 h{reach}.\n>{sample}",
        "esc.repeat": ":zzz: The snooze ended and this incident is still live: {count} negative reviews in 24 h.",
        "esc.reescalate": ":rotating_light: Not acknowledged within 1 hour of {posted}. Re-escalating to {mentions} — "
                          "please acknowledge and take ownership.",
        "esc.solve_overdue": ":hourglass_flowing_sand: 24 h since this incident was raised ({posted}) and it is not "
                             "resolved: the solution target has passed. {mentions}",
        "esc.rca_due": ":memo: Resolved. <@{user}>, the root-cause report is due by *{due}* (72 h): quality → "
                       "batch inspection with QA, service → customer-service SOP. Click below once it is filed.",
        "esc.rca_reminder": ":memo: <@{user}>, reminder: the root-cause report for this incident is due by *{due}*.",
        "esc.rca_overdue": ":red_circle: <@{user}>, the root-cause report for this incident is overdue "
                           "(was due {due}).",
        "esc.rca_filed": ":white_check_mark: Root-cause report filed by <@{user}> at {when}",
        "esc.quiet": ":large_green_circle: No new negative reviews in 24 h ({when}); closed.",
    },
    "zh": {
        "esc.level.1": "Ⅰ级",
        "esc.level.2": "Ⅱ级",
        "esc.level.3": "Ⅲ级",
        "esc.title.1": ":rotating_light: Ⅰ级负面舆情 · {subject}",
        "esc.title.2": ":warning: Ⅱ级负面舆情 · {subject}",
        "esc.text": "{level}负面舆情：{subject}，24 小时内 {count} 条差评",
        "esc.subject.sku": "{name}（{sku}）",
        "esc.subject.social": "社媒话题：{topic}",
        "esc.body": "近 24 小时差评 *{count}* 条 · {channels} · 类型：*{topic}*{reach}",
        "esc.reach": " · 影响最大作者粉丝 {followers}",
        "esc.why.count": "{level}：24 小时内 {count} 条差评（阈值 {limit}）。",
        "esc.why.followers": "{level}：作者粉丝 {followers}（阈值 {limit}）。",
        "esc.why.safety": "Ⅰ级：涉及安全问题（过敏、受伤）一律按Ⅰ级处理。",
        "esc.why.rest": "Ⅲ级：未达Ⅱ级阈值。",
        "esc.call": "{mention} 请于 *{ack_by}* 前确认（1 小时）· {respond_by} 前首次回应（4 小时）· "
                    "{solve_by} 前给出解决方案（24 小时）。",
        "esc.call.2": "{respond_by} 前首次回应（4 小时）· {solve_by} 前给出解决方案（24 小时）。",
        "esc.samples": "*用户原话*\n{lines}",
        "esc.template": "*预审回应话术 · {topic}*\n```{reply}```",
        "esc.btn.resolve": "已解决",
        "esc.btn.rca": "根因报告已提交",
        "esc.digest.title": "客服汇总 · {n} 起轻微舆情",
        "esc.digest.text": "客服汇总：{n} 起轻微负面舆情",
        "esc.digest.line": "*{subject}* · 24 小时差评 {count} 条 · {topic}\n>{sample}",
        "esc.digest.reply": "请按类型使用预审话术回复；如继续增多请升级给运营。",
        "esc.grew": ":chart_with_upwards_trend: 上次更新后新增 {new} 条差评，近 24 小时共 {count} 条{reach}。\n>{sample}",
        "esc.repeat": ":zzz: 暂缓已到期，舆情仍在发酵：24 小时内 {count} 条差评。",
        "esc.reescalate": ":rotating_light: 自 {posted} 起 1 小时内无人确认，已升级通知 {mentions}，请立即确认并认领。",
        "esc.solve_overdue": ":hourglass_flowing_sand: 该舆情自 {posted} 起已超过 24 小时仍未解决，已超出解决时限。{mentions}",
        "esc.rca_due": ":memo: 已解决。<@{user}>，请于 *{due}* 前（72 小时内）提交根因分析报告：质量问题联动质检抽检批次，"
                       "服务问题优化客服 SOP。提交后点击下方按钮。",
        "esc.rca_reminder": ":memo: <@{user}>，提醒：该舆情的根因分析报告须于 *{due}* 前提交。",
        "esc.rca_overdue": ":red_circle: <@{user}>，该舆情的根因分析报告已逾期（截止 {due}）。",
        "esc.rca_filed": ":white_check_mark: <@{user}> 已提交根因报告（{when}）",
        "esc.quiet": ":large_green_circle: 24 小时内无新增差评（{when}），已关闭。",
    },
}
