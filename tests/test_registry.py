import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from justedroit.core import clock
from justedroit.core.models import AuditEvent
from justedroit.registry import selectors, services
from justedroit.registry.models import Commune, Fact, Household, Membership, Person
from justedroit.registry.nir import is_synthetic_nir, synthetic_nir, validate_nir
from justedroit.registry.services import MemberInput
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NIR = synthetic_nir(sex=2, birth_year=1990, birth_month=5, serial=42)


def member(role="claimant", nir=NIR, **extra):
    values = {
        "last_name": "Martin",
        "first_name": "Julie",
        "birth_date": dt.date(1990, 5, 3),
        "start_date": dt.date(2021, 1, 1),
    } | extra
    return MemberInput(role=role, nir=nir, **values)


@pytest.fixture
def household():
    return services.household_create(
        number="1234567", commune_code="86194", members=[member()], acting_user=None
    )


def test_the_265_communes_of_the_vienne_are_loaded():
    assert Commune.objects.count() == 265
    assert sum(Commune.objects.values_list("population", flat=True)) == 438_897
    assert Commune.objects.get(pk="86194").name == "Poitiers"
    assert set(Commune.objects.filter(apl_zone=2).values_list("name", flat=True)) >= {
        "Poitiers",
        "Buxerolles",
        "Saint-Benoît",
    }


def test_synthetic_nirs_are_valid_and_recognisable():
    assert validate_nir(NIR) == NIR
    assert is_synthetic_nir(NIR)
    with pytest.raises(ValidationError, match="la clé de contrôle ne correspond pas"):
        validate_nir(NIR[:-2] + f"{(int(NIR[-2:]) + 1) % 97:02d}")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"number": "12345"}, "7 chiffres"),
        ({"commune_code": "75056"}, "Commune inconnue"),
        ({"members": [member(nir="2900500000042")]}, "NIR invalide"),
        ({"members": [member(role="spouse")]}, "exactement un allocataire"),
    ],
)
def test_household_create_rejects_bad_input_and_writes_nothing(kwargs, message):
    arguments = {
        "number": "1234567",
        "commune_code": "86194",
        "members": [member()],
        "acting_user": None,
    } | kwargs
    with pytest.raises(ValidationError, match=message):
        services.household_create(**arguments)
    assert not Household.objects.exists()
    assert not Person.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_trailing_zero_is_not_a_third_decimal(household):
    assert record(household, amount=Decimal("1200.500")).amount == Decimal("1200.50")


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ([member(), member(role="spouse", first_name="Jules")], "figure deux fois"),
        ([member(birth_date=dt.date(2023, 1, 1))], "date de naissance est dans le futur"),
        ([member(start_date=dt.date(1990, 5, 2))], "précède la naissance"),
        ([member(last_name="  ")], "nom et le prénom sont obligatoires"),
        ([member(first_name="")], "nom et le prénom sont obligatoires"),
        ([member(link_existing=True)], "rien à rattacher"),
    ],
)
def test_household_create_refuses_implausible_members(members, message):
    with pytest.raises(ValidationError, match=message):
        services.household_create(
            number="1234567", commune_code="86194", members=members, acting_user=None
        )
    assert not Household.objects.exists() and not Person.objects.exists()


def test_a_nir_on_file_joins_a_household_only_when_linked_and_only_as_herself(household):
    def create(**extra):
        return services.household_create(
            number="7654321",
            commune_code="86194",
            members=[member(start_date=dt.date(2022, 6, 1), **extra)],
            acting_user=None,
        )

    before = (Person.objects.count(), Membership.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError, match="déjà au registre"):
        create(first_name="Autre", birth_date=dt.date(1991, 1, 1))
    with pytest.raises(ValidationError, match=r"autre identité \(prénom, date de naissance"):
        create(first_name="Autre", birth_date=dt.date(1991, 1, 1), link_existing=True)
    assert not Household.objects.filter(number="7654321").exists()
    assert (Person.objects.count(), Membership.objects.count(), AuditEvent.objects.count()) == (
        before
    )

    linked = create(last_name="MARTIN", first_name=" julie ", link_existing=True)
    person = Person.objects.get()
    assert (person.last_name, person.first_name) == ("Martin", "Julie")  # the registry's
    assert set(person.memberships.values_list("household", flat=True)) == {
        household.pk,
        linked.pk,
    }
    assert AuditEvent.objects.filter(household_number="7654321").get().detail == {
        "members": 1,
        "linked": 1,
    }


def test_household_create_audits_in_the_same_transaction(household):
    event = AuditEvent.objects.get()
    assert (event.action, event.household_number) == ("create", "1234567")
    assert selectors.members(household).get().person.nir == NIR


def record(household, *, month=dt.date(2022, 1, 1), until=None, amount=Decimal("1200"), **extra):
    person = household.memberships.get().person
    return services.fact_record(
        household=household,
        person=person,
        kind="salary",
        valid_from=month,
        valid_until=until,
        amount=amount,
        source="declaration",
        acting_user=None,
        **extra,
    )


def test_a_fact_recorded_later_never_changes_an_earlier_answer(household):
    with clock.frozen(dt.datetime(2022, 2, 10, 9)) as first_instant:
        record(household)
    with clock.frozen(dt.datetime(2022, 6, 10, 9)):
        record(household, month=dt.date(2022, 3, 1), amount=Decimal("900"))

    def salary(month, as_of):
        fact = selectors.facts_known(household_ids=[household.id], month=month, as_of=as_of)
        return next(f.amount for key, f in fact.items() if key[2] == "salary")

    march = dt.date(2022, 3, 1)
    assert salary(march, first_instant) == Decimal("1200")  # what the Caf knew in February
    assert salary(march, clock.now()) == Decimal("900")  # what it knows now
    assert salary(dt.date(2022, 2, 1), clock.now()) == Decimal("1200")
    assert (
        selectors.facts_known(
            household_ids=[household.id], month=dt.date(2021, 12, 1), as_of=clock.now()
        )
        == {}
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "salary", "code": "x", "amount": None}, "attend un montant"),
        ({"kind": "salary", "amount": Decimal("-1")}, "négatif"),
        ({"kind": "disability_rate", "amount": Decimal("120")}, "entre 0 et 100"),
        (
            {"kind": "activity", "code": "astronaut", "amount": None},
            "n'est pas une valeur possible",
        ),
        ({"kind": "rent", "amount": Decimal("400")}, "concerne le foyer"),
        ({"kind": "unknown"}, "Nature de fait inconnue"),
        ({"valid_from": dt.date(2022, 1, 15)}, "1er du mois"),
        ({"valid_until": dt.date(2021, 1, 1)}, "doit suivre le début"),
        ({"source": "rumour"}, "Source inconnue"),
        ({"amount": Decimal("NaN")}, "n'est pas un montant"),
        ({"amount": Decimal("-Infinity")}, "n'est pas un montant"),
        ({"amount": Decimal("1E10")}, "plus grand montant admis"),
        ({"amount": Decimal("1200.005")}, "plus de deux décimales"),
        ({"kind": "disability_rate", "amount": Decimal("33.333")}, "plus de deux décimales"),
    ],
)
def test_fact_record_rejects_bad_input_and_writes_nothing(household, kwargs, message):
    arguments = {
        "household": household,
        "person": household.memberships.get().person,
        "kind": "salary",
        "valid_from": dt.date(2022, 1, 1),
        "valid_until": None,
        "amount": Decimal("1000"),
        "source": "declaration",
        "acting_user": None,
    } | kwargs
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match=message):
        services.fact_record(**arguments)
    assert not Fact.objects.exists()
    assert AuditEvent.objects.count() == events


def test_housing_commune_must_be_a_known_commune(household):
    with pytest.raises(ValidationError, match="Commune inconnue"):
        services.fact_record(
            household=household,
            kind="housing_commune",
            code="99999",
            valid_from=dt.date(2022, 1, 1),
            valid_until=None,
            source="agent",
            acting_user=None,
        )


def test_overlapping_facts_recorded_at_the_same_instant_are_rejected(household):
    record(household, until=dt.date(2022, 6, 1))
    with pytest.raises(ValidationError, match="chevauche"):
        record(household, month=dt.date(2022, 5, 1))
    record(household, month=dt.date(2022, 6, 1))  # adjacent is fine
    assert Fact.objects.count() == 2


def test_the_database_itself_rejects_overlaps_and_updates(household):
    fact = record(household, until=dt.date(2022, 6, 1))
    table = Fact._meta.db_table
    columns = (
        "household_id, person_id, kind, valid_from, valid_until, recorded_at, source, amount, code"
    )
    ops = connection.ops
    values = [
        household.id,
        fact.person_id,
        "salary",
        ops.adapt_datefield_value(dt.date(2022, 3, 1)),
        None,
        ops.adapt_datetimefield_value(fact.recorded_at),
        "agent",
        "1.00",
        "",
    ]
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * 9)})", values)
    with (
        pytest.raises(Exception, match="immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"UPDATE {table} SET amount = 1 WHERE id = %s", [fact.id])
    with pytest.raises(PermissionDenied):
        fact.amount = Decimal("5")
        fact.save()
    with pytest.raises(PermissionDenied):
        fact.delete()


def test_search_by_number_nir_and_name(household):
    assert list(selectors.households_search("1234567")) == [household]
    assert list(selectors.households_search(NIR)) == [household]
    assert list(selectors.households_search("mart jul")) == [household]
    assert list(selectors.households_search("Dupont")) == []
    assert list(selectors.households_search("  ")) == []


def _written(facts_and_acts):
    """What recording wrote, ids aside: each fact, its audit event and its processing act."""
    rows = []
    for fact, act in facts_and_acts:
        event = AuditEvent.objects.get(object_type="registry.Fact", object_id=str(fact.pk))
        rows.append(
            (
                Fact.objects.filter(pk=fact.pk)
                .values_list(
                    "household_id", "person_id", "kind", "valid_from", "valid_until", "amount"
                )
                .get(),
                (fact.recorded_at, fact.source, fact.recorded_by_id),
                (event.at, event.actor_id, event.actor_role, event.action, event.reason),
                (event.household_number, event.detail),
                list(event.households.values_list("number", flat=True)),
                None if act is None else (act.kind, act.agent_id, act.household_id, act.at),
                None
                if act is None
                else list(act.act_facts.values_list("fact_id", flat=True)) == [fact.pk],
            )
        )
    return rows


def test_agent_facts_record_writes_what_fact_record_writes_one_by_one(household):
    """The case workers' month in bulk (`agent_facts_record`) against `fact_record` per fact, on
    the same facts: the same rows (ids aside), audit events and processing acts."""
    agent = UserFactory(username="gestionnaire")
    other = UserFactory(username="relais", role="partner_relay")
    person = household.memberships.get().person
    entries = [
        services.AgentFact(
            services.FactInput(
                household_id=household.pk,
                person_id=person.pk,
                kind="salary",
                valid_from=dt.date(2022, month, 1),
                valid_until=dt.date(2022, month + 1, 1),
                amount=Decimal(1000 + month),
            ),
            agent=agent if month % 2 else other,
            at=dt.datetime(2022, month, 3, 10, tzinfo=clock.PARIS),
            reason="traitement d'une déclaration de ressources",
        )
        for month in range(1, 5)
    ]
    with transaction.atomic():
        one_by_one = []
        for entry in entries:
            with clock.frozen(entry.at):
                fact = services.fact_record(
                    household=household,
                    person=person,
                    kind="salary",
                    valid_from=entry.fact.valid_from,
                    valid_until=entry.fact.valid_until,
                    amount=entry.fact.amount,
                    source="agent",
                    acting_user=entry.agent,
                    reason=entry.reason,
                )
            one_by_one.append((fact, fact.act_links.get().act if fact.act_links.exists() else None))
        expected = _written(one_by_one)
        transaction.set_rollback(True)
    with transaction.atomic():
        bulk = services.agent_facts_record(entries)
    assert _written(bulk) == expected
    assert [act is not None for _, act in bulk] == [True, False, True, False]  # agents only
    with pytest.raises(ValidationError):  # one bad fact: nothing written
        services.agent_facts_record(
            [
                entries[0],
                services.AgentFact(
                    services.FactInput(household.pk, "salary", dt.date(2022, 1, 1), None),
                    agent,
                    entries[0].at,
                ),
            ]
        )
    assert Fact.objects.count() == 4
