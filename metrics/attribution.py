"""Why GMV moved: ΔGMV split into UV, CVR and AOV with the LMDI (SPEC §4, seed 003).

    c = gmv_change(conn, window=parse_window("7d", today=today), channel="douyin")
    c.delta                  # Decimal("-1234.56"), current minus previous window
    c.contributions          # {"uv": Decimal("-1500.10"), "cvr": ..., "aov": ...}, or None + c.reason
    c.leading_factor         # "uv" when GMV fell mostly because traffic fell

GMV = UV × CVR × AOV, so ln(GMV₁/GMV₀) = Σ ln(X₁/X₀); weighting each term with the logarithmic
mean L(GMV₁, GMV₀) turns that identity into contributions that add up to ΔGMV with no residual.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from sqlalchemy import Connection

from metrics.money import CENT
from metrics.sales import summary
from metrics.windows import Window

FACTORS = ("uv", "cvr", "aov")  # the order to look in when GMV falls: traffic, conversion, order value

# ln of ratios close to 1 loses digits to cancellation; extra precision keeps cents exact
_PRECISION = 50


@dataclass(frozen=True)
class Lmdi:
    delta: Decimal  # GMV₁ − GMV₀, in cents
    contributions: dict[str, Decimal] | None  # per factor, in cents, summing to `delta` exactly
    reason: str | None  # why `contributions` is None
    leading_factor: str | None  # the factor that took most GMV away; None unless GMV fell


@dataclass(frozen=True)
class WindowFigures:
    window: Window
    uv: int
    buyers: int
    cvr: Decimal | None  # rounded for display; the split uses the exact ratio
    aov: Decimal | None
    gmv: Decimal


@dataclass(frozen=True)
class GmvChange:
    channel: str | None
    current: WindowFigures
    previous: WindowFigures
    delta: Decimal
    contributions: dict[str, Decimal] | None
    reason: str | None
    leading_factor: str | None


def log_mean(a: Decimal, b: Decimal) -> Decimal:
    """L(a, b) = (a − b) / (ln a − ln b), with L(a, a) = a; a, b > 0."""
    if a == b:
        return a
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return (a - b) / (a / b).ln()


def lmdi(
    gmv0: Decimal,
    gmv1: Decimal,
    factors0: Mapping[str, Decimal | None],
    factors1: Mapping[str, Decimal | None],
) -> Lmdi:
    """Split gmv1 − gmv0 over factors whose product is the GMV of each window.

    Pass the factors unrounded (CVR = buyers/UV, AOV = GMV/buyers): rounded ones no longer
    multiply to GMV and the cent adjustment below would absorb the gap. Ties for the leading
    factor go to the one listed first.
    """
    delta = (gmv1 - gmv0).quantize(CENT, rounding=ROUND_HALF_UP)
    names = list(dict.fromkeys([*factors0, *factors1]))
    reason = _unusable(gmv0, gmv1, names, factors0, factors1)
    if reason is not None:
        return Lmdi(delta=delta, contributions=None, reason=reason, leading_factor=None)
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        weight = log_mean(gmv1, gmv0)
        raw = {n: weight * (_positive(factors1.get(n)) / _positive(factors0.get(n))).ln() for n in names}
    contributions = _round_to_total(raw, delta)
    leading = None
    if delta < 0:
        # judged on the cents before the adjustment, so a cent moved only to make the sum exact
        # cannot break a tie; min() keeps the first of equals, so traffic wins ties
        leading = min(names, key=lambda n: raw[n].quantize(CENT, rounding=ROUND_HALF_UP))
    return Lmdi(delta=delta, contributions=contributions, reason=None, leading_factor=leading)


def _positive(value: Decimal | None) -> Decimal:
    assert value is not None and value > 0  # guaranteed by _unusable
    return value


def _unusable(
    gmv0: Decimal,
    gmv1: Decimal,
    names: list[str],
    factors0: Mapping[str, Decimal | None],
    factors1: Mapping[str, Decimal | None],
) -> str | None:
    for label, gmv, factors in (("previous", gmv0, factors0), ("current", gmv1, factors1)):
        for name in names:
            value = factors.get(name)
            if value is None or value <= 0:
                return f"{name} is zero or missing in the {label} window"
        if gmv <= 0:
            return f"gmv is zero in the {label} window"
    return None


def _round_to_total(raw: dict[str, Decimal], total: Decimal) -> dict[str, Decimal]:
    """Round each value to cents, then move single cents so the rounded values sum to `total`.

    The cents go to the values that rounding moved furthest the other way (largest remainder),
    so no contribution ends up more than a cent from its exact value.
    """
    rounded = {n: v.quantize(CENT, rounding=ROUND_HALF_UP) for n, v in raw.items()}
    missing = int((total - sum(rounded.values(), Decimal(0))) / CENT)
    if missing == 0 or not rounded:
        return rounded
    step = CENT if missing > 0 else -CENT
    # for a positive gap, the values rounded down the most come first (largest raw − rounded)
    order = sorted(rounded, key=lambda n: (raw[n] - rounded[n]) * (-1 if missing > 0 else 1))
    for i in range(abs(missing)):
        name = order[i % len(order)]
        rounded[name] += step
    return rounded


def _figures(conn: Connection, window: Window, channel: str | None) -> tuple[WindowFigures, dict[str, Decimal | None]]:
    s = summary(conn, window=window, channel=channel)
    figures = WindowFigures(window=window, uv=s.uv, buyers=s.buyers, cvr=s.cvr, aov=s.aov, gmv=s.gmv)
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        exact: dict[str, Decimal | None] = {
            "uv": Decimal(s.uv),
            "cvr": Decimal(s.buyers) / s.uv if s.uv else None,
            "aov": s.gmv / s.buyers if s.buyers else None,
        }
    return figures, exact


def gmv_change(conn: Connection, *, window: Window, channel: str | None = None) -> GmvChange:
    """`window` against `window.previous()`, for one channel or all channels together."""
    current, factors1 = _figures(conn, window, channel)
    previous, factors0 = _figures(conn, window.previous(), channel)
    split = lmdi(previous.gmv, current.gmv, factors0, factors1)
    return GmvChange(
        channel=channel,
        current=current,
        previous=previous,
        delta=split.delta,
        contributions=split.contributions,
        reason=split.reason,
        leading_factor=split.leading_factor,
    )


__all__ = ["FACTORS", "GmvChange", "Lmdi", "WindowFigures", "gmv_change", "lmdi", "log_mean"]
