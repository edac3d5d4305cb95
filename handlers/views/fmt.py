"""How figures are written in messages: money, ROI ratios, percentages, changes."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

NA = "n/a"


def money(value: Decimal | None) -> str:
    if value is None:
        return NA
    return f"¥{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


def roi(value: Decimal | None) -> str:
    """ROI the way the team writes it (seed 001: the floor "1:2"): 1:2.35."""
    if value is None:
        return NA
    return f"1:{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}"


def pct(value: Decimal | float | None, places: int = 1) -> str:
    if value is None:
        return NA
    return f"{Decimal(str(value)) * 100:.{places}f}%"


def change(now: Decimal | None, before: Decimal | None) -> str:
    """Relative change with an arrow: ▲ 12.3% / ▼ 4.0% / n/a."""
    if now is None or before is None or before == 0:
        return NA
    rel = (now - before) / before * 100
    arrow = "▲" if rel > 0 else "▼" if rel < 0 else "="
    return f"{arrow} {abs(rel):.1f}%"


def integer(value: int | None) -> str:
    return NA if value is None else f"{value:,}"


# -- per language ----------------------------------------------------------------------------------

WAN = Decimal(10_000)
YI = Decimal(100_000_000)
# below 10万 the exact amount is short enough to read; above it the team thinks in 万 and 亿
ZH_SHORT_FROM = Decimal(100_000)


def money_in(value: Decimal | None, locale: str) -> str:
    """Money for `locale`: ¥1,234,567.00 in en; ¥123.5万 / ¥1.2亿 in zh for large amounts."""
    if value is None:
        return na(locale)
    if locale != "zh" or abs(value) < ZH_SHORT_FROM:
        return money(value)
    if abs(value) >= YI:
        short = (value / YI).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
        return f"¥{short:f}亿"
    return f"¥{(value / WAN).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}万"


def na(locale: str) -> str:
    return "无" if locale == "zh" else NA


def pct_in(value: Decimal | float | None, locale: str, places: int = 1) -> str:
    return na(locale) if value is None else pct(value, places)


def roi_in(value: Decimal | None, locale: str) -> str:
    return na(locale) if value is None else roi(value)


def change_in(now: Decimal | None, before: Decimal | None, locale: str) -> str:
    text = change(now, before)
    return na(locale) if text == NA else text


_ZH_LABELS = {"today": "今天", "yesterday": "昨天", "wtd": "本周", "mtd": "本月", "last-week": "上周",
              "last-month": "上月"}


def window_label(label: str, locale: str) -> str:
    """A window's short name for titles: `7d` → 近7天 in zh; dates stay dates."""
    if locale != "zh":
        return label
    if label in _ZH_LABELS:
        return _ZH_LABELS[label]
    if label.endswith("d") and label[:-1].isdigit():
        return f"近{label[:-1]}天"
    return label


class In:
    """The per-language writers bound to one locale, for views that write many figures:

        f = fmt.In("zh"); f.money(Decimal("1234567"))   # ¥123.5万
    """

    def __init__(self, locale: str) -> None:
        self.locale = locale

    def money(self, value: Decimal | None) -> str:
        return money_in(value, self.locale)

    def change(self, now: Decimal | None, before: Decimal | None) -> str:
        return change_in(now, before, self.locale)

    def roi(self, value: Decimal | None) -> str:
        return roi_in(value, self.locale)

    def pct(self, value: Decimal | float | None, places: int = 1) -> str:
        return pct_in(value, self.locale, places)
