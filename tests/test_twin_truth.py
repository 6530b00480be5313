"""The twin's truth: kept from the product, the source of the households' declarations and of the
partners' files, and the months it drives run the Caf's own cycle."""

import datetime as dt
import tomllib
from decimal import Decimal
from pathlib import Path

import grimp
import pytest
from django.db.models import Q

from justedroit.core import clock
from justedroit.exchanges.services import exchange_inbox_import
from justedroit.registry.models import Fact, FactSource
from justedroit.twin.simulate import truth
from justedroit.twin.simulate.months import declarations_write
from justedroit.twin.simulate.partners import _covered, late_by, partner_files_write
from justedroit.twin.simulate.partners.parameters import PARAMETERS as PARTNERS
from justedroit.twin.simulate.truth import changes
from justedroit.twin.simulate.truth.parameters import PARAMETERS as TRUTH
from justedroit.twin.truth.models import Behaviour, Change, TrueKind, TruePeriod

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
FIRST, LAST = dt.date(2021, 1, 1), dt.date(2022, 12, 1)
CONTRACT = "Only the twin reads its truth"
HOUSING_KINDS = (TrueKind.RENT, TrueKind.HOUSING_STATUS)


def _contract():
    from importlinter.contracts.protected import ProtectedContract

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    options = next(c for c in config["contracts"] if c["name"] == CONTRACT)
    return ProtectedContract(
        name=CONTRACT,
        session_options={"root_packages": ["justedroit"]},
        contract_options={k: v for k, v in options.items() if k not in ("name", "type")},
    )


def test_no_domain_may_import_the_truth_and_the_contract_says_so_when_one_does():
    graph = grimp.build_graph("justedroit")
    contract = _contract()
    assert contract.check(graph, verbose=False).kept
    graph.add_import(
        importer="justedroit.entitlements.situations",
        imported="justedroit.twin.truth.models",
        line_number=1,
        line_contents="from justedroit.twin.truth.models import TruePeriod",
    )
    assert not contract.check(graph, verbose=False).kept


def _draw_truth():
    return truth.simulate(first_month=FIRST, last_month=LAST, seed=86, scale=0.01)


def test_the_truth_starts_from_the_declarations_and_adds_hidden_changes(small_twin):
    counts = _draw_truth()
    assert counts["periodes_vraies"] == TruePeriod.objects.count()
    changes = TruePeriod.objects.exclude(change="")
    hidden = changes.filter(behaviour__in=[Behaviour.NEVER, Behaviour.DELIBERATE])
    assert changes.filter(behaviour=Behaviour.ON_TIME).count() > hidden.count() > 0
    # A hidden change is never declared; a declared one says when.
    assert not hidden.exclude(declared_at=None).exists()
    assert not changes.filter(behaviour=Behaviour.ON_TIME, declared_at=None).exists()
    assert _draw_truth() == {"periodes_vraies": 0}  # drawn once for the twin


def test_hidden_couples_and_departures_include_those_begun_before_the_period(small_twin):
    _draw_truth()
    hidden = TruePeriod.objects.filter(kind__in=[TrueKind.PARTNER, TrueKind.ABROAD])
    earliest = clock.add_months(FIRST, -12 * TRUTH.hidden_since_years)
    assert hidden.filter(month_from__lt=FIRST).exists()
    assert hidden.filter(month_from__gte=FIRST).exists()
    assert not hidden.filter(month_from__lt=earliest).exists()
    assert set(hidden.values_list("behaviour", flat=True)) <= {
        Behaviour.NEVER,
        Behaviour.DELIBERATE,
    }


def test_declarations_are_written_when_the_household_makes_them(small_twin):
    _draw_truth()
    late = TruePeriod.objects.filter(behaviour=Behaviour.LATE).order_by("declared_at").first()
    month = clock.month_start(late.declared_at.astimezone(clock.PARIS).date())
    assert declarations_write(month) > 0
    fact = Fact.objects.get(
        source=FactSource.DECLARATION,
        person=late.person,
        household=late.household,
        kind=late.kind,
        recorded_at=late.declared_at,
    )
    assert fact.valid_from == late.month_from < month  # declared late, backdated


def test_a_hidden_pay_rise_shows_in_the_payroll_file_and_not_in_the_declarations(
    small_twin, tmp_path
):
    _draw_truth()
    rise = next(
        period
        for period in TruePeriod.objects.filter(
            change=Change.PAY_RISE, behaviour__in=[Behaviour.NEVER, Behaviour.DELIBERATE]
        ).order_by("id")
        if _covered(period.person_id, 86, 1, PARTNERS.drm_salary_coverage)
        and not late_by(period.person_id, period.month_from, 86, "drm")  # a line on time
    )
    cycle_month = clock.add_months(rise.month_from, PARTNERS.drm_delay_months)
    partner_files_write(month=cycle_month, inbox=tmp_path, seed=86, scale=0.01)
    counts = exchange_inbox_import(month=cycle_month, inbox=tmp_path, acting_user=None)
    assert counts["rows_refused"] == 0 and counts["rows_kept"] > 0
    exchanged = Fact.objects.get(
        source=FactSource.PARTNER_EXCHANGE,
        person=rise.person,
        kind="salary",
        valid_from=rise.month_from,
    )
    assert exchanged.amount == rise.amount
    declared = (
        Fact.objects.filter(
            source=FactSource.DECLARATION,
            person=rise.person,
            kind="salary",
            valid_from__lte=rise.month_from,
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=rise.month_from))
        .latest("recorded_at", "id")
    )
    assert declared.amount < exchanged.amount


def _variable_pay():
    return TruePeriod.objects.filter(change=Change.VARIABLE_PAY)


def test_variable_pay_months_are_drawn_at_their_monthly_frequency_for_wage_earners(small_twin):
    _draw_truth()
    months = _variable_pay()
    earners = set(months.values_list("person_id", flat=True))
    # Each drawn month lasts one month and pays more than the salary true the month before.
    for period in months.order_by("id")[:200]:
        assert clock.add_months(period.month_from, 1) == period.month_until
        usual = (
            TruePeriod.objects.filter(person=period.person, kind=TrueKind.SALARY)
            .exclude(change=Change.VARIABLE_PAY)
            .filter(month_from__lte=period.month_from)
            .filter(Q(month_until__isnull=True) | Q(month_until__gt=period.month_from))
            .latest("month_from", "origin", "id")
        )
        assert usual.amount < period.amount <= usual.amount * Decimal("1.40") + 1
    # About `variable_pay_monthly` of a wage earner's months in the period (24 at most each).
    share = months.count() / (24 * len(earners))
    assert TRUTH.variable_pay_monthly * 0.8 < share < TRUTH.variable_pay_monthly * 1.25
    behaviours = {b: months.filter(behaviour=b).count() / months.count() for b in Behaviour}
    for name, expected in TRUTH.variable_pay_declared.items():
        assert abs(behaviours[name] - expected) < 0.05, name
    assert behaviours[Behaviour.DELIBERATE] == 0


def test_a_late_variable_pay_month_is_declared_months_later_for_that_month_only(small_twin):
    _draw_truth()
    late = _variable_pay().filter(behaviour=Behaviour.LATE).order_by("declared_at").first()
    declared_in = clock.month_start(late.declared_at.astimezone(clock.PARIS).date())
    assert declared_in >= clock.add_months(late.month_from, TRUTH.late_months[0])
    declarations_write(declared_in)
    fact = Fact.objects.get(
        source=FactSource.DECLARATION,
        person=late.person,
        kind="salary",
        recorded_at=late.declared_at,
    )
    assert (fact.valid_from, fact.valid_until, fact.amount) == (
        late.month_from,
        late.month_until,
        late.amount,
    )


def _housing(change: str):
    return TruePeriod.objects.filter(change=change)


def test_housing_changes_are_drawn_at_their_yearly_rates_among_single_dwelling_tenants(
    small_twin,
):
    """Tenants housed free of charge and rents that fall, drawn at their yearly rates over the
    months each tenant is in the file, declared as `housing_declared` says (never deliberately)."""
    _draw_truth()
    draws = changes._Draws(86, changes._index(FIRST), changes._index(LAST))
    spans = changes._claim_spans(draws, draws.first)
    declared = TruePeriod.objects.filter(origin="declared", person=None)
    renting = set(
        declared.filter(kind=TrueKind.HOUSING_STATUS, code__in=changes.RENTING).values_list(
            "household_id", flat=True
        )
    )
    one_dwelling = {
        household_id
        for household_id in renting
        if declared.filter(household_id=household_id, kind__in=HOUSING_KINDS).count() == 2
    }
    months = {h: spans[h][1] - spans[h][0] + 1 for h in one_dwelling if h in spans}

    def expected(yearly: float, households) -> float:
        return sum(1 - (1 - yearly) ** (months[h] / 12) for h in households)

    left = _housing(Change.LEAVES_RENTAL)
    fell = _housing(Change.RENT_FALL)
    assert set(left.values_list("household_id", flat=True)) <= set(months)
    assert set(fell.values_list("household_id", flat=True)) <= set(months) - set(
        left.values_list("household_id", flat=True)
    )
    for drawn, wanted in (
        (left.count(), expected(TRUTH.leaves_rental_yearly, months)),
        (fell.count(), expected(TRUTH.rent_fall_yearly, months)),
    ):
        assert abs(drawn - wanted) < 3 * wanted**0.5 + 2, (drawn, wanted)
    assert set(left.values_list("code", flat=True)) == {changes.HOSTED_FREE}
    low, high = TRUTH.rent_fall_factor
    for period in fell:
        before = declared.get(household_id=period.household_id, kind=TrueKind.RENT).amount
        assert before * Decimal(str(low)) - 1 <= period.amount <= before * Decimal(str(high)) + 1
    both = left | fell
    shares = {b: both.filter(behaviour=b).count() / both.count() for b in Behaviour}
    for name, share in TRUTH.housing_declared.items():
        assert abs(shares[name] - share) < 0.1, name
    assert shares[Behaviour.DELIBERATE] == shares[Behaviour.MISTAKE] == 0
