"""A/B test results (SPEC §3 `experiments`): per-variant totals summed in SQL, the statistics in scipy/statsmodels.

    result = analyse(conn, "checkout-button", today=today)
    result.verdict.kind        # "srm" | "winner" | "no_difference" | "powered_no_difference"
    result.variants[1].lift    # relative lift of B over the control, 0.12 = +12 %

Method (the README's "Analysis" section says the same):
- sample ratio mismatch first: chi-square goodness of fit of visitors against the intended split
  (even unless the caller gives weights), p < 0.001 means the split is broken and nothing is read;
- two variants: two-sided, pooled two-proportion z-test; more: Pearson chi-square over the
  variants × (converted, not) table, then each variant against the control by z-test with Holm's
  correction; a winner needs both the overall test and its own corrected comparison below 0.05;
- 95 % Wilson score interval per conversion rate (the normal interval misbehaves near 0);
- not significant: visitors per variant needed to detect a 10 % relative lift over the control's
  rate at 80 % power (Cohen's h, normal approximation; α split over the comparisons like Holm's
  first step).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from scipy import stats
from sqlalchemy import Connection, func, select
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import proportion_confint, proportion_effectsize, proportions_ztest

from metrics.money import CENT, from_cents
from metrics.schema import experiments

ALPHA = 0.05
SRM_ALPHA = 0.001
POWER = 0.8
MIN_LIFT = 0.10  # the smallest relative lift worth detecting, for the sample-size line
CONTROL = "control"
RECENT_DAYS = 90  # /abtest without a name lists experiments that ran within this many days

VerdictKind = Literal["srm", "winner", "no_difference", "powered_no_difference"]


class UnknownExperiment(LookupError):
    def __init__(self, name: str, suggestion: str | None, known: tuple[str, ...]) -> None:
        self.name, self.suggestion, self.known = name, suggestion, known
        super().__init__(f"unknown experiment {name!r}")


class NotComparable(ValueError):
    """The experiment's data cannot be tested: one variant only, or a variant without visitors."""

    def __init__(self, experiment: str, reason: Literal["one_variant", "no_visitors"], variants: tuple[str, ...]):
        self.experiment, self.reason, self.variants = experiment, reason, variants
        super().__init__(f"{experiment}: {reason} ({', '.join(variants)})")


@dataclass(frozen=True)
class VariantTotals:
    """One variant's rows summed in SQL."""

    experiment: str
    variant: str
    visitors: int
    conversions: int
    revenue: Decimal | None  # None when none of its rows carried revenue
    first_day: date
    last_day: date


@dataclass(frozen=True)
class VariantStats:
    name: str
    visitors: int
    conversions: int
    rate: float
    ci_low: float
    ci_high: float
    lift: float | None  # relative to the control's rate; None for the control or a control rate of 0
    p_value: float | None  # against the control (Holm-corrected with 3+ variants); None for the control
    revenue: Decimal | None
    revenue_per_visitor: Decimal | None


@dataclass(frozen=True)
class Verdict:
    kind: VerdictKind
    p_value: float  # the p-value the verdict line quotes
    winner: str | None = None
    more_visitors: int | None = None  # per variant, for a 10 % lift at 80 % power; None if not estimable
    needed_per_variant: int | None = None


@dataclass(frozen=True)
class AbTestResult:
    experiment: str
    first_day: date
    last_day: date
    running: bool
    control: str
    variants: tuple[VariantStats, ...]  # the control first, then in name order
    test: Literal["z", "chi2"]
    statistic: float  # z (variant vs control) or chi-square
    p_value: float  # of the overall test
    srm_p_value: float
    intended: tuple[float, ...]  # intended traffic shares, in the order of `variants`
    even_split: bool
    has_revenue: bool
    verdict: Verdict


@dataclass(frozen=True)
class ExperimentSummary:
    """One line of `/abtest` without a name."""

    name: str
    first_day: date
    last_day: date
    running: bool
    variants: int
    visitors: int
    verdict: Verdict | None  # None when the data cannot be tested (`problem` says why)
    problem: Literal["one_variant", "no_visitors"] | None


@dataclass(frozen=True)
class ExperimentList:
    today: date
    experiments: tuple[ExperimentSummary, ...]  # running first, then most recently ended
    older: int  # experiments that ended more than RECENT_DAYS ago, not listed


# -- SQL ---------------------------------------------------------------------------------------------


def totals(conn: Connection, experiment: str | None = None) -> list[VariantTotals]:
    """Per (experiment, variant): Σ visitors, Σ conversions, Σ revenue, first and last day."""
    e = experiments.c
    query = (
        select(e.experiment, e.variant, func.sum(e.visitors), func.sum(e.conversions), func.sum(e.revenue_cents),
               func.count(e.revenue_cents), func.min(e.date), func.max(e.date))
        .group_by(e.experiment, e.variant)
        .order_by(e.experiment, e.variant)
    )
    if experiment is not None:
        query = query.where(e.experiment == experiment)
    return [
        VariantTotals(str(name), str(variant), int(v or 0), int(c or 0),
                      from_cents(int(rev)) if n_rev else None, lo, hi)
        for name, variant, v, c, rev, n_rev, lo, hi in conn.execute(query)
    ]


def names(conn: Connection) -> tuple[str, ...]:
    return tuple(str(n) for n in conn.scalars(select(experiments.c.experiment).distinct()))


# -- statistics --------------------------------------------------------------------------------------


def _ordered(rows: Sequence[VariantTotals]) -> list[VariantTotals]:
    """The control (named `control`, else the first by name) first, then the rest by name."""
    by_name = sorted(rows, key=lambda r: r.variant)
    control = next((r for r in by_name if r.variant.lower() == CONTROL), by_name[0])
    return [control, *(r for r in by_name if r is not control)]


def srm_p_value(visitors: Sequence[int], shares: Sequence[float]) -> float:
    """Chi-square goodness of fit of the visitor counts against the intended traffic shares."""
    total = sum(visitors)
    expected = [total * s for s in shares]
    return float(stats.chisquare(list(visitors), f_exp=expected).pvalue)


def wilson(conversions: int, visitors: int) -> tuple[float, float]:
    lo, hi = proportion_confint(conversions, visitors, alpha=ALPHA, method="wilson")
    return float(lo), float(hi)


def z_test(c_variant: int, n_variant: int, c_control: int, n_control: int) -> tuple[float, float]:
    """Two-sided pooled two-proportion z-test of variant vs control: (z, p)."""
    if c_variant + c_control in (0, n_variant + n_control):
        return 0.0, 1.0  # nobody (or everybody) converted: no evidence of a difference, and z is 0/0
    z, p = proportions_ztest([c_variant, c_control], [n_variant, n_control], alternative="two-sided")
    return float(z), float(p)


def visitors_needed(control_rate: float, *, comparisons: int = 1) -> int | None:
    """Visitors per variant to detect a MIN_LIFT relative lift over `control_rate` at POWER."""
    if control_rate <= 0 or control_rate >= 1:
        return None
    target = min(control_rate * (1 + MIN_LIFT), 1.0)
    h = abs(float(proportion_effectsize(target, control_rate)))
    n = NormalIndPower().solve_power(effect_size=h, alpha=ALPHA / comparisons, power=POWER, ratio=1.0,
                                     alternative="two-sided")
    return math.ceil(float(n))


def _rpv(revenue: Decimal | None, visitors: int) -> Decimal | None:
    if revenue is None or visitors == 0:
        return None
    return (revenue / visitors).quantize(CENT)


def evaluate(rows: Sequence[VariantTotals], *, today: date, weights: Mapping[str, float] | None = None
             ) -> AbTestResult:
    """The statistics of one experiment's variant totals (all rows of the same experiment)."""
    if not rows:
        raise ValueError("no rows")
    ordered = _ordered(rows)
    name = ordered[0].experiment
    labels = tuple(r.variant for r in ordered)
    if len(ordered) < 2:
        raise NotComparable(name, "one_variant", labels)
    empty = tuple(r.variant for r in ordered if r.visitors == 0)
    if empty:
        raise NotComparable(name, "no_visitors", empty)
    if weights:
        raw = [float(weights.get(v, 0.0)) for v in labels]
        shares = tuple(w / sum(raw) for w in raw)
    else:
        shares = tuple(1 / len(ordered) for _ in ordered)
    visitors = [r.visitors for r in ordered]
    srm = srm_p_value(visitors, shares)

    control = ordered[0]
    rates = [r.conversions / r.visitors for r in ordered]
    pairwise = [z_test(r.conversions, r.visitors, control.conversions, control.visitors) for r in ordered[1:]]
    raw_p = [p for _, p in pairwise]
    if len(ordered) == 2:
        test: Literal["z", "chi2"] = "z"
        statistic, overall = pairwise[0]
        adjusted = raw_p
    else:
        test = "chi2"
        table = [[r.conversions, r.visitors - r.conversions] for r in ordered]
        if all(r.conversions == 0 for r in ordered) or all(r.conversions == r.visitors for r in ordered):
            statistic, overall = 0.0, 1.0  # an all-zero column makes the expected counts 0
        else:
            chi2, overall, _, _ = stats.chi2_contingency(table, correction=False)
            statistic, overall = float(chi2), float(overall)
        adjusted = [float(p) for p in multipletests(raw_p, alpha=ALPHA, method="holm")[1]]

    variants = []
    for i, r in enumerate(ordered):
        lo, hi = wilson(r.conversions, r.visitors)
        lift = None if i == 0 or rates[0] == 0 else rates[i] / rates[0] - 1
        variants.append(VariantStats(
            name=r.variant, visitors=r.visitors, conversions=r.conversions, rate=rates[i], ci_low=lo, ci_high=hi,
            lift=lift, p_value=None if i == 0 else adjusted[i - 1], revenue=r.revenue,
            revenue_per_visitor=_rpv(r.revenue, r.visitors)))

    verdict = _verdict(variants, overall, srm, comparisons=len(ordered) - 1)
    first = min(r.first_day for r in ordered)
    last = max(r.last_day for r in ordered)
    return AbTestResult(
        experiment=name, first_day=first, last_day=last, running=_running(last, today), control=control.variant,
        variants=tuple(variants), test=test, statistic=statistic, p_value=overall, srm_p_value=srm,
        intended=shares, even_split=not weights, has_revenue=any(r.revenue is not None for r in ordered),
        verdict=verdict)


def _verdict(variants: Sequence[VariantStats], overall: float, srm: float, *, comparisons: int) -> Verdict:
    if srm < SRM_ALPHA:
        # a broken split biases every figure below it: no winner is ever read from it
        return Verdict("srm", srm)
    control, others = variants[0], variants[1:]
    if overall < ALPHA:
        better = [v for v in others if v.p_value is not None and v.p_value < ALPHA and v.rate > control.rate]
        if better:
            best = max(better, key=lambda v: (v.rate, v.name))
            assert best.p_value is not None
            return Verdict("winner", best.p_value, winner=best.name)
        worse = [v for v in others if v.p_value is not None and v.p_value < ALPHA and v.rate < control.rate]
        if len(worse) == len(others):
            return Verdict("winner", max(v.p_value or 0.0 for v in worse), winner=control.name)
    needed = visitors_needed(control.rate, comparisons=comparisons)
    if needed is None:
        return Verdict("no_difference", overall)
    more = max(0, needed - min(v.visitors for v in variants))
    kind: VerdictKind = "no_difference" if more > 0 else "powered_no_difference"
    return Verdict(kind, overall, more_visitors=more, needed_per_variant=needed)


def _running(last_day: date, today: date) -> bool:
    # data arrives the day after: an experiment with rows for yesterday (or today) is still running
    return last_day >= today - timedelta(days=1)


# -- what the commands call --------------------------------------------------------------------------


def analyse(conn: Connection, experiment: str, *, today: date, weights: Mapping[str, float] | None = None
            ) -> AbTestResult:
    """One experiment by name (exact, else case-insensitive); UnknownExperiment with a suggestion otherwise."""
    known = names(conn)
    exact = experiment if experiment in known else next(
        (n for n in known if n.lower() == experiment.strip().lower()), None)
    if exact is None:
        lowered = {n.lower(): n for n in known}
        match = difflib.get_close_matches(experiment.strip().lower(), list(lowered), n=1, cutoff=0.5)
        raise UnknownExperiment(experiment, lowered[match[0]] if match else None, tuple(sorted(known)))
    return evaluate(totals(conn, exact), today=today, weights=weights)


def recent(conn: Connection, *, today: date) -> ExperimentList:
    """Running experiments, then those that ended within RECENT_DAYS, with a quick verdict each."""
    grouped: dict[str, list[VariantTotals]] = {}
    for row in totals(conn):
        grouped.setdefault(row.experiment, []).append(row)
    listed: list[ExperimentSummary] = []
    older = 0
    for name, rows in grouped.items():
        last = max(r.last_day for r in rows)
        if last < today - timedelta(days=RECENT_DAYS):
            older += 1
            continue
        verdict: Verdict | None = None
        problem: Literal["one_variant", "no_visitors"] | None = None
        try:
            verdict = evaluate(rows, today=today).verdict
        except NotComparable as exc:
            problem = exc.reason
        listed.append(ExperimentSummary(
            name=name, first_day=min(r.first_day for r in rows), last_day=last, running=_running(last, today),
            variants=len(rows), visitors=sum(r.visitors for r in rows), verdict=verdict, problem=problem))
    listed.sort(key=lambda s: (not s.running, -s.last_day.toordinal(), s.name))
    return ExperimentList(today, tuple(listed), older)


__all__ = [
    "AbTestResult", "ExperimentList", "ExperimentSummary", "NotComparable", "UnknownExperiment", "VariantStats",
    "VariantTotals", "Verdict", "analyse", "evaluate", "recent", "srm_p_value", "totals", "visitors_needed",
    "wilson", "z_test",
]
