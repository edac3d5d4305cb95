"""`ecombot budget set|allocate|log|expire`: budget periods from the command line (SPEC §6, §9).

    ecombot budget set 2026-11 1000000          # total; 20 % (CONTINGENCY_SHARE) becomes the pool
    ecombot budget allocate 2026-11 douyin 300000
    ecombot budget log 2026-11
    ecombot budget expire                        # what the scheduled job does
"""

from __future__ import annotations

import getpass
from decimal import Decimal
from typing import TYPE_CHECKING

import click

from bot.cli_context import Context, pass_ctx

if TYPE_CHECKING:
    from metrics.runtime import Deps


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"[:64]
    except (KeyError, OSError):
        return "cli"


def _deps(ctx: Context) -> Deps:
    from metrics.runtime import build_deps

    return build_deps(ctx.settings, engine=ctx.engine)


def _amount(raw: str) -> Decimal:
    from metrics.budget import BudgetError, parse_amount

    try:
        return parse_amount(raw)
    except BudgetError as exc:
        raise click.BadParameter(str(exc)) from None


@click.group("budget")
def budget_group() -> None:
    """Monthly budgets and the contingency pool."""


@budget_group.command("set")
@click.argument("month")
@click.argument("total")
@pass_ctx
def budget_set(ctx: Context, month: str, total: str) -> None:
    """Set MONTH's (YYYY-MM) TOTAL; CONTINGENCY_SHARE of it is the contingency pool."""
    from metrics import budget
    from metrics.budget import BudgetError

    deps = _deps(ctx)
    try:
        period = budget.set_period(deps.engine, month, _amount(total), share=deps.settings.contingency_share,
                                   actor=_actor(), now=deps.now())
    except BudgetError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{period.month}: total ¥{period.total:,}, contingency pool ¥{period.pool:,} "
               f"({deps.settings.contingency_share:%}), pool left ¥{period.pool_left:,}")


@budget_group.command("allocate")
@click.argument("month")
@click.argument("channel")
@click.argument("amount")
@pass_ctx
def budget_allocate(ctx: Context, month: str, channel: str, amount: str) -> None:
    """Allocate AMOUNT of MONTH's budget (outside the pool) to CHANNEL."""
    from metrics import budget
    from metrics.budget import BudgetError
    from metrics.channels import UnknownChannel

    deps = _deps(ctx)
    try:
        slug = deps.registry.resolve(channel).slug
        value = Decimal(0) if amount.strip() in ("0", "0.00") else _amount(amount)
        got = budget.allocate(deps.engine, month, slug, value, known=deps.registry.slugs, actor=_actor(),
                              now=deps.now())
    except (BudgetError, UnknownChannel) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{month} {slug}: allocated ¥{got:,}")


@budget_group.command("log")
@click.argument("month", required=False)
@pass_ctx
def budget_log(ctx: Context, month: str | None) -> None:
    """Every budget event (of MONTH, or all): when, what, who, amounts, pool before → after."""
    from handlers.views.budget_log import event_line
    from metrics import budget
    from metrics.budget import BudgetError

    try:
        key = budget.parse_month(month) if month else None
    except BudgetError as exc:
        raise click.BadParameter(str(exc)) from None
    deps = _deps(ctx)
    with deps.engine.connect() as conn:
        events = budget.events(conn, key)
    if not events:
        click.echo("no budget events" + (f" for {key}" if key else ""))
    # the sentences of `/budget log`, plain: one formatter of events for Slack and the terminal
    names = {c.slug: c.display(deps.locale) for c in deps.registry}
    for e in events:
        click.echo(event_line(e, tz=deps.settings.tz, locale=deps.locale, names=names, plain=True))


@budget_group.command("expire")
@pass_ctx
def budget_expire(ctx: Context) -> None:
    """Expire requests older than BUDGET_REQUEST_TTL_HOURS; cards are updated when a bot token is set."""
    from bot.app import web_client
    from jobs.budget_expiry import expire_requests

    deps = _deps(ctx)
    client = web_client(deps) if deps.settings.slack_bot_token else None
    click.echo(f"{expire_requests(deps, client)} request(s) expired")


COMMANDS: list[click.Command] = [budget_group]
