"""Small helpers the command-suite views share: mrkdwn escaping, changes, window words. Pure."""

from __future__ import annotations

from decimal import Decimal

from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

from handlers.views import fmt
from handlers.views.blocks import Block
from handlers.views.limits import FIELD_TEXT, clip
from handlers.views.mrkdwn import Mrkdwn, escape
from handlers.views.texts import t
from metrics.windows import Window


def fields_block(fields: list[str]) -> Block:
    """A section of up to 10 two-line fields, each clipped to Slack's field limit."""
    return SectionBlock(fields=[MarkdownTextObject(text=clip(f, FIELD_TEXT)) for f in fields[:10]]).to_dict()


def esc(text: str) -> str:
    """Untrusted text (SKU and product names, review texts) made safe for mrkdwn: &, <, > as entities,
    marked as such so that `t()` does not escape it a second time."""
    return Mrkdwn(escape(text))


def rel(value: Decimal | None, locale: str) -> str:
    """A relative change computed in metrics (0.12) as ▲ 12.0% / ▼ 4.0% / = 0.0% / n/a."""
    if value is None:
        return fmt.na(locale)
    arrow = "▲" if value > 0 else "▼" if value < 0 else "="
    return f"{arrow} {abs(value) * 100:.1f}%"


def signed_pct(value: Decimal | None, locale: str) -> str:
    """−12.0% / +3.4%, for sentences."""
    if value is None:
        return fmt.na(locale)
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return f"{sign}{abs(value) * 100:.1f}%"


def signed_money(value: Decimal, locale: str) -> str:
    text = fmt.money_in(abs(value), locale)
    return ("+" if value > 0 else "−" if value < 0 else "±") + text


def window_name(window: Window, locale: str) -> str:
    return fmt.window_label(window.label, locale)


def channel_or_all(name: str | None, locale: str) -> str:
    return name if name is not None else t("suite.all_channels", locale)
