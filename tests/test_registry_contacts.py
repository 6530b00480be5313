"""A household's known contact points: normalised, audited, and the only addresses that identify
a sender or receive an answer."""

import pytest
from django.core.exceptions import ValidationError

from justedroit.core import phones
from justedroit.core.models import AuditEvent
from justedroit.core.roles import Role
from justedroit.registry import contacts
from justedroit.registry.models import ContactPoint, ContactSource, HouseholdAccount
from tests.factories import HouseholdFactory, claimant


@pytest.fixture
def household(db):
    return HouseholdFactory(number="1234567")


def test_addresses_and_mobiles_are_normalised_and_checked(household):
    assert contacts.email_normalize("  Paul.Durand@Example.ORG ") == "paul.durand@example.org"
    assert phones.mobile_normalize("06 12 34 56 78") == "+33612345678"
    for kind, value, message in [
        ("email", "pas une adresse", "invalide"),
        ("email", "a" * 250 + "@example.org", "trop longue"),
        ("email", "a@example.org\r\nBcc: x@example.net", "invalide"),
        ("mobile", "05 49 00 00 01", "pas un numéro de téléphone mobile"),
        ("mobile", "12", "invalide"),
    ]:
        with pytest.raises(ValidationError, match=message):
            contacts.contact_point_record(
                household=household, kind=kind, value=value, source="declared", acting_user=None
            )
    assert not ContactPoint.objects.exists()


def test_recording_twice_keeps_one_point_and_adds_the_verification(household, make_user):
    agent = make_user(Role.RECEPTION)
    first = contacts.contact_point_record(
        household=household,
        kind="email",
        value="A@example.org",
        source="declared",
        acting_user=None,
    )
    again = contacts.contact_point_record(
        household=household,
        kind="email",
        value="a@example.org",
        source=ContactSource.AGENT,
        verified=True,
        acting_user=agent,
    )
    assert again.pk == first.pk and again.verified and again.source == ContactSource.DECLARED
    reasons = list(
        AuditEvent.objects.filter(object_type="registry.ContactPoint", object_id=str(first.pk))
        .order_by("id")
        .values_list("reason", flat=True)
    )
    assert reasons == ["coordonnée enregistrée", "coordonnée vérifiée"]


def test_the_owners_of_an_address_and_the_address_to_answer(household, make_user):
    assert contacts.email_owners("paul@example.org") == []
    assert contacts.household_email(household) is None
    user = make_user(Role.CLAIMANT, email="Compte@Example.org")
    HouseholdAccount.objects.create(user=user, household=household)
    contacts.contact_point_record(
        household=household,
        kind="email",
        value="decl@example.org",
        source="declared",
        acting_user=None,
    )
    # The account's address comes before a merely declared one; a verified one before both.
    assert contacts.household_email(household).address == "compte@example.org"
    contacts.contact_point_record(
        household=household,
        kind="email",
        value="verif@example.org",
        source="agent",
        verified=True,
        acting_user=None,
    )
    assert contacts.household_email(household).address == "verif@example.org"
    (owner,) = contacts.email_owners("COMPTE@example.org")
    assert (owner.household, owner.describe()) == (household, "adresse du compte Mon compte")
    user.is_active = False
    user.save()
    assert contacts.email_owners("compte@example.org") == []
    other = HouseholdFactory(number="7654321", members=[claimant(serial=9)])
    contacts.contact_point_record(
        household=other, kind="email", value="decl@example.org", source="declared", acting_user=None
    )
    assert {k.household for k in contacts.email_owners("decl@example.org")} == {household, other}


def test_a_contact_point_is_unique_per_household_in_the_database(household):
    from django.db import IntegrityError, transaction

    from justedroit.core import clock

    row = dict(household=household, kind="email", value="x@example.org", source="declared")
    ContactPoint.objects.create(recorded_at=clock.now(), **row)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactPoint.objects.create(recorded_at=clock.now(), **row)
