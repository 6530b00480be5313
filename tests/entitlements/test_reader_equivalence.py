"""The set-based reader (`entitlements.situations`) reads what the Caf knows exactly as the reader
it replaced (tests/entitlements/reference_reader.py): on the twin, the same inputs household by
household, hence the same amounts — for the whole file, for given households and for partitions
of the file (what a Dask worker reads), before and after a month is paid; on SQLite and on
PostgreSQL alike."""

import datetime as dt
from decimal import Decimal
from itertools import pairwise

import pytest

from justedroit import rules
from justedroit.core import clock
from justedroit.entitlements.services import month_run
from justedroit.entitlements.situations import IdRange, situations
from justedroit.registry import services as registry_services
from justedroit.registry.models import FactSource, Household, Membership, Person, Residence
from tests.entitlements import reference_reader

pytestmark = pytest.mark.django_db
APRIL, MAY, JUNE, JULY, AUGUST = (dt.date(2022, m, 1) for m in (4, 5, 6, 7, 8))


def layered(count: int = 6) -> None:
    """Facts over the twin's own, in every order of the precedence: a declaration, a partner's
    fact over part of its months, a later declaration over another part; the partner's income
    under a declared one, and a household-level correction."""
    memberships = Membership.objects.filter(role="claimant").select_related("household", "person")
    for minute, membership in enumerate(memberships.order_by("household_id")[:count]):
        household, person = membership.household, membership.person
        for second, (source, start, end, amount) in enumerate(
            [
                (FactSource.DECLARATION, dt.date(2021, 11, 1), JUNE, "812.40"),
                (FactSource.PARTNER_EXCHANGE, APRIL, JULY, "1310.00"),
                (FactSource.DECLARATION, MAY, None, "0.00"),
            ]
        ):
            with clock.frozen(dt.datetime(2022, 12, 1, 9, minute, second)):
                registry_services.fact_record(
                    household=household,
                    person=person,
                    kind="salary",
                    valid_from=start,
                    valid_until=end,
                    source=source,
                    acting_user=None,
                    amount=Decimal(amount),
                )
        for second, (source, amount) in enumerate(
            [(FactSource.PARTNER_EXCHANGE, "15300"), (FactSource.DECLARATION, "9000")], start=10
        ):
            with clock.frozen(dt.datetime(2022, 12, 1, 9, minute, second)):
                registry_services.fact_record(
                    household=household,
                    kind="fiscal_income_n2",
                    valid_from=dt.date(2022, 1, 1),
                    valid_until=None,
                    source=source,
                    acting_user=None,
                    amount=Decimal(amount),
                )


def findings() -> None:
    """What the twin's build leaves out: a vie maritale and a residence abroad established by
    controls, a member whose birth date and activity are unknown (an input error)."""
    claiming = [set(situations(month=m, as_of=clock.now())[1].values()) for m in (JUNE, AUGUST)]
    couple, abroad, incomplete = Household.objects.filter(
        id__in=sorted(set.intersection(*claiming))[-3:]
    )
    with clock.frozen(dt.datetime(2022, 12, 2, 9)):
        for household, kind, start, amount, code in [
            (couple, "partner_resources", APRIL, Decimal("1450.00"), ""),
            (abroad, "residence", JULY, None, Residence.ABROAD),
        ]:
            registry_services.fact_record(
                household=household,
                kind=kind,
                valid_from=start,
                valid_until=None,
                source=FactSource.CONTROL,
                acting_user=None,
                amount=amount,
                code=code,
            )
    person = Person.objects.create(nir="299999999999999", last_name="Sans", first_name="Date")
    Membership.objects.create(
        household=incomplete, person=person, role="child", start_date=dt.date(2022, 1, 1)
    )


def amounts(inputs, month):
    results, errors = rules.compute_month(inputs, month, with_intermediates=False)
    return {r.household_id: r.amounts for r in results}, {
        (e.household_id, e.message_fr) for e in errors
    }


def test_the_whole_file_reads_and_computes_as_before(small_twin):
    layered()
    now = clock.now()
    read, ids = situations(month=JUNE, as_of=now)
    before, before_ids = reference_reader.situations(month=JUNE, as_of=now)
    assert len(read) > 500
    assert ids == before_ids
    assert [h.id for h in read] == [h.id for h in before]
    for new, old in zip(read, before, strict=True):
        assert new == old, new.id
    assert amounts(read, JUNE) == amounts(before, JUNE)


def test_given_households_and_partitions_read_as_before(small_twin):
    layered()
    now = clock.now()
    whole, whole_ids = situations(month=JUNE, as_of=now)
    # Given households: each computed, even one without a claim running.
    unclaimed = Household.objects.exclude(id__in=whole_ids.values()).values_list("id", flat=True)
    some = [*list(whole_ids.values())[::7], *unclaimed[:3]]
    assert situations(month=JUNE, as_of=now, household_ids=some) == (
        reference_reader.situations(month=JUNE, as_of=now, household_ids=some)
    )
    # Partitions: together, the whole file, each household once, in order.
    bounds = sorted(whole_ids.values())
    cuts = [bounds[0], bounds[len(bounds) // 3], bounds[2 * len(bounds) // 3], bounds[-1] + 1]
    parts = [
        situations(month=JUNE, as_of=now, household_ids=IdRange(a, b)) for a, b in pairwise(cuts)
    ]
    assert [h for inputs, _ in parts for h in inputs] == whole
    assert {n: i for _, ids in parts for n, i in ids.items()} == whole_ids


def test_after_a_paid_month_the_rsa_received_reads_as_before(small_twin):
    month_run(month=MAY, as_of=clock.now(), wet=True, executor_kind="inline")
    now = clock.now()
    read, _ = situations(month=JUNE, as_of=now)
    before, _ = reference_reader.situations(month=JUNE, as_of=now)
    assert any(h.rsa_received.get(MAY) for h in read)  # the paid RSA is read
    assert read == before


def test_months_read_and_compute_as_before(small_twin):
    """Months after a paid one (housing aid reads the RSA received: paid for May, computed for
    the months not settled yet), August's longer window, controls' findings, an input error."""
    layered()
    findings()
    month_run(month=MAY, as_of=clock.now(), wet=True, executor_kind="inline")
    now = clock.now()
    for month in (JUNE, JULY, AUGUST):
        read, ids = situations(month=month, as_of=now)
        before, before_ids = reference_reader.situations(month=month, as_of=now)
        assert (read, ids) == (before, before_ids), month
        computed, errors = amounts(read, month)
        assert (computed, errors) == amounts(before, month), month
        assert errors, month
    assert any(h.partner_resources for h in read)
    assert any(h.abroad for h in read)
    assert any(h.rsa_received for h in read)
