"""Budget rules and transactions (metrics/budget/) on every backend, and the two-process race.

Expected amounts are worked out here in integer cents, not with the functions under test.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select, text, update
from sqlalchemy.exc import DBAPIError

from metrics import budget
from metrics.budget import FINANCE, OPS, BudgetError, NewRequest, Outcome
from metrics.channels import ChannelRegistry
from metrics.db import upsert
from metrics.schema import ad_spend
from metrics.schema_budget import budget_events, budget_periods
from tests.dbs import scratch_or_skip

NOW = datetime(2026, 11, 21, 2, 0, tzinfo=UTC)
MONTH = "2026-11"
TTL = timedelta(hours=48)
KNOWN = ChannelRegistry().slugs
SHARE = Decimal("0.20")
REQUESTER, FIN, OPSU, BOTH, NOBODY = "U0MEI", "U0FANG", "U0OLIVER", "U0BOTH", "U0SAM"
FIN_ONLY, OPS_ONLY, BOTH_ROLES = frozenset({FINANCE}), frozenset({OPS}), frozenset({FINANCE, OPS})


def cents(value: str) -> int:
    """'1,234.5' → 123450, by string surgery rather than Decimal arithmetic."""
    whole, _, frac = value.replace(",", "").partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])


def pool_cents(total_cents: int, percent: int = 20) -> int:
    """percent of total, rounded half up to the cent, in integers."""
    return (total_cents * percent * 2 + 100) // 200


def D(c: int) -> Decimal:  # noqa: N802 - reads like a literal
    return Decimal(c) / 100


def new(amount: str | Decimal = "50000", channel: str = "douyin", reason: str = "KOL slot for 11.11 live",
        requester: str = REQUESTER, **kw: object) -> NewRequest:
    return NewRequest(month=MONTH, channel=channel, amount=Decimal(amount), reason=reason, requester=requester,
                      **kw)  # type: ignore[arg-type]


def make(engine: Engine, amount: str = "50000", **kw: object) -> budget.Request:
    req, created = budget.create_request(engine, new(amount, **kw), known=KNOWN, now=NOW, ttl=TTL)  # type: ignore[arg-type]
    assert created
    return req


def setup_month(engine: Engine, total: str = "1000000") -> int:
    budget.set_period(engine, MONTH, Decimal(total), share=SHARE, actor="cli:test", now=NOW)
    return pool_cents(cents(total))


def left(engine: Engine) -> Decimal:
    value = budget.pool_left(engine, MONTH)
    assert value is not None
    return value


# -- periods and allocations ---------------------------------------------------------------------------------


def test_pool_is_twenty_percent_of_the_total_to_the_cent(engine: Engine) -> None:
    expected = setup_month(engine, "1000000.10")  # 20 % of ¥1,000,000.10 = ¥200,000.02
    assert expected == 20000002
    with engine.connect() as conn:
        period = budget.get_period(conn, MONTH)
    assert period is not None
    assert period.total == D(100000010) and period.pool == D(expected) and period.pool_left == D(expected)


def test_changing_the_total_keeps_what_was_released(engine: Engine) -> None:
    setup_month(engine, "1000000")
    req = make(engine, "150000")
    budget.approve(engine, req.id, user=FIN, roles=FIN_ONLY, now=NOW, roi=None)
    assert budget.approve(engine, req.id, user=OPSU, roles=OPS_ONLY, now=NOW, roi=None).outcome is Outcome.RELEASED
    budget.set_period(engine, MONTH, Decimal("2000000"), share=SHARE, actor="cli:test", now=NOW)
    assert left(engine) == D(pool_cents(cents("2000000")) - cents("150000"))
    with pytest.raises(BudgetError) as err:  # a pool of 100,000 cannot hold the 150,000 already released
        budget.set_period(engine, MONTH, Decimal("500000"), share=SHARE, actor="cli:test", now=NOW)
    assert err.value.code == "total_below_released"
    assert left(engine) == D(pool_cents(cents("2000000")) - cents("150000"))


def test_allocations_stay_within_the_total_outside_the_pool(engine: Engine) -> None:
    setup_month(engine, "1000000")  # 800,000 to allocate
    assert budget.allocate(engine, MONTH, "douyin", Decimal("300000"), known=KNOWN, actor="t", now=NOW) == D(30000000)
    budget.allocate(engine, MONTH, "tmall", Decimal("500000"), known=KNOWN, actor="t", now=NOW)
    with pytest.raises(BudgetError) as err:
        budget.allocate(engine, MONTH, "jd", Decimal("0.01"), known=KNOWN, actor="t", now=NOW)
    assert err.value.code == "allocation_too_large"
    # changing an allocation replaces it rather than adding to it
    budget.allocate(engine, MONTH, "douyin", Decimal("200000"), known=KNOWN, actor="t", now=NOW)
    budget.allocate(engine, MONTH, "jd", Decimal("100000"), known=KNOWN, actor="t", now=NOW)
    with pytest.raises(BudgetError) as err:
        budget.allocate(engine, MONTH, "nowhere", Decimal("1"), known=KNOWN, actor="t", now=NOW)
    assert err.value.code == "unknown_channel"
    with pytest.raises(BudgetError) as err:
        budget.allocate(engine, "2026-12", "jd", Decimal("1"), known=KNOWN, actor="t", now=NOW)
    assert err.value.code == "no_period"


# -- requests ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("amount", "code"), [
    ("0", "amount_positive"), ("-5", "amount_positive"), ("0.001", "amount_places"),
    ("0.30000000000000004", "amount_places"), ("abc", "bad_amount"), ("NaN", "bad_amount"),
    ("Infinity", "bad_amount"), ("", "bad_amount"), ("1e3", "bad_amount"), ("0x10", "bad_amount"),
    ("200000.01", "amount_over_pool"),
])
def test_request_amount_rules(engine: Engine, amount: str, code: str) -> None:
    setup_month(engine, "1000000")
    with pytest.raises(BudgetError) as err:
        budget.create_request(
            engine, NewRequest(MONTH, "douyin", amount, "why", REQUESTER),  # type: ignore[arg-type]
            known=KNOWN, now=NOW, ttl=TTL)
    assert err.value.code == code
    with engine.connect() as conn:
        assert budget.pending_requests(conn) == []


def test_request_needs_channel_reason_and_a_budget(engine: Engine) -> None:
    with pytest.raises(BudgetError) as err:
        make(engine, "10")
    assert err.value.code == "no_period"
    setup_month(engine)
    for kw, code in (({"channel": "nowhere"}, "unknown_channel"), ({"reason": "  \n "}, "no_reason"),
                     ({"reason": "x" * 1001}, "reason_too_long")):
        with pytest.raises(BudgetError) as err:
            make(engine, "10", **kw)
        assert err.value.code == code


def test_floats_are_refused_and_decimals_add_up_exactly(engine: Engine) -> None:
    assert 0.1 + 0.2 != 0.3  # the trap this guards against
    with pytest.raises(BudgetError):
        budget.parse_amount(0.1)
    assert budget.parse_amount("¥1,234.5") == Decimal("1234.50")
    assert budget.parse_amount("１００") == Decimal("100.00")  # full-width digits from a Chinese IME
    pool = setup_month(engine, "1000000")
    a, b = make(engine, "0.1"), make(engine, "0.2")
    for req in (a, b):
        budget.approve(engine, req.id, user=FIN, roles=FIN_ONLY, now=NOW, roi=None)
        budget.approve(engine, req.id, user=OPSU, roles=OPS_ONLY, now=NOW, roi=None)
    assert left(engine) == D(pool - 10 - 20)
    assert str(left(engine)) == "199999.70"
    with engine.connect() as conn:
        st = budget.status(conn, MONTH, today=date(2026, 11, 21), channels=KNOWN, floors={}, roi={})
    douyin = next(c for c in st.channels if c.channel == "douyin")
    assert douyin.released == Decimal("0.30") and str(douyin.released) == "0.30"


def test_a_retried_submission_makes_one_request(engine: Engine) -> None:
    setup_month(engine)
    first, created = budget.create_request(engine, new(client_key="V123"), known=KNOWN, now=NOW, ttl=TTL)
    again, created_again = budget.create_request(engine, new(client_key="V123"), known=KNOWN, now=NOW, ttl=TTL)
    assert created and not created_again and again.id == first.id
    with engine.connect() as conn:
        assert len(budget.pending_requests(conn)) == 1
        assert [e.kind for e in budget.events(conn, MONTH)] == ["period_set", "requested"]


# -- decisions -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("order", [(FIN, OPSU), (OPSU, FIN)], ids=["finance-then-ops", "ops-then-finance"])
def test_two_roles_release_the_money(engine: Engine, order: tuple[str, str]) -> None:
    pool = setup_month(engine, "1000000")
    budget.allocate(engine, MONTH, "douyin", Decimal("300000"), known=KNOWN, actor="t", now=NOW)
    req = make(engine, "50000", roi=Decimal("1.8"))
    assert req.pool_before == D(pool) and req.pool_after == D(pool - cents("50000"))
    roles = {FIN: FIN_ONLY, OPSU: OPS_ONLY}
    first = budget.approve(engine, req.id, user=order[0], roles=roles[order[0]], now=NOW, roi=Decimal("1.9"))
    assert first.outcome is Outcome.APPROVED and left(engine) == D(pool)
    assert first.request is not None and first.request.status == budget.PENDING
    second = budget.approve(engine, req.id, user=order[1], roles=roles[order[1]], now=NOW + timedelta(hours=1),
                            roi=Decimal("2.1"))
    assert second.outcome is Outcome.RELEASED
    assert second.request is not None and second.request.status == budget.RELEASED
    assert {a.user_id: a.role for a in second.request.approvals} == {FIN: FINANCE, OPSU: OPS}
    assert second.request.approver(OPS) is not None
    assert left(engine) == D(pool - cents("50000"))
    with engine.connect() as conn:
        st = budget.status(conn, MONTH, today=date(2026, 11, 21), channels=KNOWN, floors={}, roi={})
        log = budget.events(conn, MONTH)
    douyin = next(c for c in st.channels if c.channel == "douyin")
    assert douyin.allocated == D(cents("300000")) and douyin.released == D(cents("50000"))
    assert douyin.budget == D(cents("350000"))
    assert [e.kind for e in log] == ["period_set", "allocated", "requested", "approved", "approved", "released"]
    released = log[-1]
    assert released.pool_before == D(pool) and released.pool_after == D(pool - cents("50000"))
    assert released.actor == order[1]
    # anything after the release changes nothing
    for user, roles_of in ((FIN, FIN_ONLY), (OPSU, OPS_ONLY), (NOBODY, frozenset[str]())):
        again = budget.approve(engine, req.id, user=user, roles=roles_of, now=NOW, roi=None)
        assert again.outcome is Outcome.ALREADY_FINAL and not again.changed
    assert left(engine) == D(pool - cents("50000"))


def test_who_may_approve(engine: Engine) -> None:
    pool = setup_month(engine)
    req = make(engine, "1000")
    # the requester, even one who is an approver, may not approve their own request
    assert budget.approve(engine, req.id, user=REQUESTER, roles=BOTH_ROLES, now=NOW, roi=None).outcome is Outcome.SELF
    assert budget.approve(engine, req.id, user=NOBODY, roles=frozenset(), now=NOW, roi=None).outcome \
        is Outcome.OUTSIDER
    first = budget.approve(engine, req.id, user=BOTH, roles=BOTH_ROLES, now=NOW, roi=None)
    assert first.outcome is Outcome.APPROVED and first.role == FINANCE
    # the same person once more: refused for the second role, however often they click
    for _ in range(2):
        assert budget.approve(engine, req.id, user=BOTH, roles=BOTH_ROLES, now=NOW, roi=None).outcome \
            is Outcome.BOTH_ROLES
    # a second finance approver cannot fill finance again
    assert budget.approve(engine, req.id, user="U0FIN2", roles=FIN_ONLY, now=NOW, roi=None).outcome \
        is Outcome.ROLE_TAKEN
    assert left(engine) == D(pool)
    final = budget.approve(engine, req.id, user=OPSU, roles=OPS_ONLY, now=NOW, roi=None)
    assert final.outcome is Outcome.RELEASED and left(engine) == D(pool - cents("1000"))


def test_a_double_click_counts_once(engine: Engine) -> None:
    setup_month(engine)
    req = make(engine, "1000")
    assert budget.approve(engine, req.id, user=FIN, roles=FIN_ONLY, now=NOW, roi=None).outcome is Outcome.APPROVED
    again = budget.approve(engine, req.id, user=FIN, roles=FIN_ONLY, now=NOW, roi=None)
    assert again.outcome is Outcome.DUPLICATE and not again.changed
    with engine.connect() as conn:
        assert [e.kind for e in budget.events(conn)].count("approved") == 1


def test_reject_ends_the_request(engine: Engine) -> None:
    pool = setup_month(engine)
    req = make(engine, "1000")
    budget.approve(engine, req.id, user=FIN, roles=FIN_ONLY, now=NOW, roi=None)
    assert budget.reject(engine, req.id, user=NOBODY, roles=frozenset(), reason="no", now=NOW).outcome \
        is Outcome.OUTSIDER
    assert budget.reject(engine, req.id, user=REQUESTER, roles=BOTH_ROLES, reason="no", now=NOW).outcome \
        is Outcome.SELF
    with pytest.raises(BudgetError):
        budget.reject(engine, req.id, user=OPSU, roles=OPS_ONLY, reason="   ", now=NOW)
    done = budget.reject(engine, req.id, user=OPSU, roles=OPS_ONLY, reason="ROI too low", now=NOW)
    assert done.outcome is Outcome.REJECTED and done.request is not None
    assert done.request.status == budget.REJECTED and done.request.reject_reason == "ROI too low"
    assert budget.approve(engine, req.id, user=OPSU, roles=OPS_ONLY, now=NOW, roi=None).outcome \
        is Outcome.ALREADY_FINAL
    assert budget.reject(engine, req.id, user=FIN, roles=FIN_ONLY, reason="x", now=NOW).outcome \
        is Outcome.ALREADY_FINAL
    assert left(engine) == D(pool)


def test_requests_expire_after_the_ttl(engine: Engine) -> None:
    pool = setup_month(engine)
    a, b = make(engine, "1000"), make(engine, "2000")
    assert budget.expire_due(engine, now=NOW + TTL - timedelta(seconds=1)) == []
    budget.approve(engine, a.id, user=FIN, roles=FIN_ONLY, now=NOW, roi=None)
    # a click after the deadline finds it expired, before the job swept it
    late = budget.approve(engine, a.id, user=OPSU, roles=OPS_ONLY, now=NOW + TTL, roi=None)
    assert late.outcome is Outcome.EXPIRED and late.changed
    expired = budget.expire_due(engine, now=NOW + TTL)
    assert [r.id for r in expired] == [b.id] and expired[0].status == budget.EXPIRED
    assert budget.expire_due(engine, now=NOW + TTL * 2) == []
    assert left(engine) == D(pool)
    with engine.connect() as conn:
        assert [e.kind for e in budget.events(conn)].count("expired") == 2


def test_two_requests_over_the_pool_release_only_one(engine: Engine) -> None:
    pool = setup_month(engine, "1000")  # pool ¥200
    a, b = make(engine, "150"), make(engine, "100")
    for req in (a, b):
        budget.approve(engine, req.id, user=FIN, roles=FIN_ONLY, now=NOW, roi=None)
    assert budget.approve(engine, a.id, user=OPSU, roles=OPS_ONLY, now=NOW, roi=None).outcome is Outcome.RELEASED
    short = budget.approve(engine, b.id, user=OPSU, roles=OPS_ONLY, now=NOW, roi=None)
    assert short.outcome is Outcome.INSUFFICIENT and short.request is not None
    assert short.request.status == budget.PENDING and short.request.note
    assert len(short.request.approvals) == 1  # the ops approval did not count
    assert left(engine) == D(pool - cents("150")) == Decimal("50.00")


def test_the_pool_cannot_go_negative_even_by_hand(engine: Engine) -> None:
    setup_month(engine, "1000")
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(update(budget_periods).values(pool_left_cents=-1))


def test_status_shows_the_guards_pause_until_resumed(engine: Engine) -> None:
    from metrics import alerts

    setup_month(engine)
    with engine.begin() as conn:
        alerts.raise_alert(conn, key="roi:tmall", kind="roi", severity="critical", channel="C0OPS", ts="1.1",
                           detail={"channel": "tmall"}, now_utc=datetime(2026, 11, 21, 2))

    def paused() -> set[str]:
        with engine.connect() as conn:
            st = budget.status(conn, MONTH, today=date(2026, 11, 21), channels=KNOWN,
                               floors={"tmall": Decimal(2)}, roi={"tmall": Decimal("3.0")})
        return {c.channel for c in st.channels if c.paused}

    assert paused() == {"tmall"}
    with engine.begin() as conn:  # an operations head clicked Resume
        alerts.resolve(conn, "roi:tmall", user="U0OLIVER", now_utc=datetime(2026, 11, 21, 3))
    assert paused() == set()


def test_the_audit_log_is_append_only(engine: Engine) -> None:
    setup_month(engine)
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(update(budget_events).values(actor="someone else"))
    with engine.connect() as conn:
        assert [e.actor for e in budget.events(conn)] == ["cli:test"]


def test_status_shows_spend_to_date_and_paused_channels(engine: Engine) -> None:
    setup_month(engine)
    budget.allocate(engine, MONTH, "douyin", Decimal("300000"), known=KNOWN, actor="t", now=NOW)
    rows = [
        {"date": date(2026, 10, 31), "channel": "douyin", "campaign": "a", "spend_cents": 99900},  # last month
        {"date": date(2026, 11, 1), "channel": "douyin", "campaign": "a", "spend_cents": 12345},
        {"date": date(2026, 11, 20), "channel": "douyin", "campaign": "b", "spend_cents": 10},
        {"date": date(2026, 11, 22), "channel": "douyin", "campaign": "b", "spend_cents": 777},  # after today
        {"date": date(2026, 11, 5), "channel": "tmall", "campaign": "a", "spend_cents": 500},
    ]
    with engine.begin() as conn:
        upsert(conn, ad_spend, [{**r, "impressions": 0, "clicks": 0, "attributed_gmv_cents": None} for r in rows])
    make(engine, "1000")
    with engine.connect() as conn:
        st = budget.status(conn, MONTH, today=date(2026, 11, 21), channels=KNOWN,
                           floors={"douyin": Decimal(2), "tmall": Decimal(2)},
                           roi={"douyin": Decimal("1.5"), "tmall": Decimal("2.0"), "jd": None})
    by = {c.channel: c for c in st.channels}
    assert by["douyin"].spend == D(12345 + 10) and by["tmall"].spend == D(500)
    assert by["douyin"].remaining == D(cents("300000") - 12345 - 10)
    # under the floor by the rule, but the guard has not paused anything yet
    assert by["douyin"].below_floor and not by["tmall"].below_floor and not by["jd"].below_floor
    assert not any(c.paused for c in st.channels)
    assert st.spend == D(12345 + 10 + 500)
    assert len(st.pending) == 1 and st.pending_amount == D(cents("1000"))
    assert st.unallocated == D(cents("800000") - cents("300000"))


def test_months_are_checked() -> None:
    assert budget.month_bounds("2026-12") == (date(2026, 12, 1), date(2026, 12, 31))
    assert budget.month_bounds("2028-02")[1] == date(2028, 2, 29)
    for bad in ("2026-13", "2026-1", "nov", ""):
        with pytest.raises(BudgetError):
            budget.parse_month(bad)


def test_the_migration_matches_the_tables(engine: Engine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from metrics.schema import metadata

    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    ours = [d for d in diffs if "budget_" in repr(d)]
    assert ours == []


# -- two processes approve at the same instant ---------------------------------------------------------------


def _approve_in_child(url: str, request_id: int, user: str, barrier: object, out: object) -> None:
    from metrics.db import connect

    engine = connect(url)
    try:
        barrier.wait(timeout=60)  # type: ignore[attr-defined]
        decision = budget.approve(engine, request_id, user=user, roles=OPS_ONLY, now=NOW, roi=None)
        out.put((request_id, decision.outcome.value))  # type: ignore[attr-defined]
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails the test
        out.put((request_id, f"error: {exc!r}"))  # type: ignore[attr-defined]
    finally:
        engine.dispose()


@pytest.fixture(scope="module", params=["postgresql", "mysql", "sqlite"])
def race_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database two processes can share: PostgreSQL (the case the issue names), MariaDB, a SQLite file."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('race') / 'race.db'}"
        return
    yield from scratch_or_skip(request.param)


def test_two_processes_approving_at_once_release_exactly_one(race_url: str) -> None:
    from metrics.db import connect, reset
    from metrics.schema_budget import BUDGET_TABLES

    engine = connect(race_url)
    ctx = multiprocessing.get_context("spawn")
    try:
        for round_no in range(3):
            reset(engine, BUDGET_TABLES)
            pool = setup_month(engine, "1000")  # pool ¥200; two requests of ¥120 and ¥130 together exceed it
            a, b = make(engine, "120"), make(engine, "130", channel="tmall")
            for req in (a, b):
                budget.approve(engine, req.id, user=FIN, roles=FIN_ONLY, now=NOW, roi=None)
            barrier, out = ctx.Barrier(2), ctx.Queue()
            procs = [ctx.Process(target=_approve_in_child, args=(race_url, r.id, f"{OPSU}{i}", barrier, out))
                     for i, r in enumerate((a, b))]
            for p in procs:
                p.start()
            results = dict(out.get(timeout=120) for _ in procs)
            for p in procs:
                p.join(timeout=30)
                assert p.exitcode == 0
            outcomes = sorted(results.values())
            assert outcomes == ["insufficient", "released"], f"round {round_no}: {results}"
            won = a if results[a.id] == "released" else b
            assert left(engine) == D(pool - cents(str(won.amount))) >= 0
            with engine.connect() as conn:
                assert int(conn.execute(select(budget_periods.c.pool_left_cents)).scalar_one()) >= 0
                log = budget.events(conn, MONTH)
                total_released = conn.execute(text(
                    "SELECT COALESCE(SUM(released_cents), 0) FROM budget_allocations")).scalar_one()
            assert [e.request_id for e in log if e.kind == "released"] == [won.id]
            assert int(total_released) == cents(str(won.amount))
    finally:
        engine.dispose()


def test_months_outside_2000_to_2099_and_control_characters_are_refused_by_name() -> None:
    # before: 9999-12 passed and month_bounds failed with "year 10000 is out of range"; a NUL passed
    for bad in ("9999-12", "1999-12", "2100-01", "0000-01"):
        with pytest.raises(BudgetError) as got:
            budget.parse_month(bad)
        assert got.value.code == "bad_month" and "between 2000-01 and 2099-12" in str(got.value)
    assert budget.month_bounds("2099-12")[1] == date(2099, 12, 31)
    for reason in ("\x00", "KOL\x00slot", "a\x1bb", "\x7f"):
        with pytest.raises(BudgetError) as got:
            budget.validate_reason(reason)
        assert got.value.code == "reason_control"
    assert budget.validate_reason("two\tlines\r\nok") == "two lines ok"


def test_a_nul_in_the_reason_writes_nothing(engine: Engine) -> None:
    setup_month(engine)
    with pytest.raises(BudgetError):
        make(engine, reason="KOL slot\x00")
    with engine.connect() as conn:
        assert budget.pending_requests(conn) == [] and budget.count_events(conn) == 1
