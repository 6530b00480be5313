"""Monthly information meetings (invitations to the partners under agreement, attendance rate
per partner) and collective actions (the Halte-Répit permanences with the Cpam: sessions, people
received, rights linked to a household only with consent, a report per action)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from justedroit.core import clock
from justedroit.core.indicators import registered
from justedroit.core.roles import Role
from justedroit.outreach import selectors
from justedroit.outreach.models import ActionOutcome, ActionOutcomeKind, Partner
from justedroit.outreach.services import network, partners
from justedroit.registry.models import Commune
from tests.factories import HouseholdFactory

pytestmark = pytest.mark.django_db


def indicator(code):
    return next(i for i in registered() if i.code == code).compute(2022)


def test_a_meeting_invites_the_partners_under_agreement_and_counts_attendance():
    partners.partners_seed(acting_user=None)
    ended = Partner.objects.order_by("name").first()
    ended.agreement_end = dt.date(2022, 1, 31)
    ended.save()
    meeting = network.meeting_plan(
        held_on=dt.date(2022, 3, 10),
        title="Réunion mensuelle de mars",
        agenda="Revalorisation de la prime d'activité au 1er avril ; nouveaux justificatifs.",
        acting_user=None,
    )
    invited = set(meeting.invitations.values_list("partner_id", flat=True))
    assert len(invited) == 32 and ended.pk not in invited
    present = set(sorted(invited)[:24])
    network.attendance_record(meeting=meeting, present=present, acting_user=None)
    rates = selectors.attendance_by_partner(2022)
    assert sum(came for came, _ in rates.values()) == 24 and len(rates) == 32
    assert indicator("outreach_meeting_attendance") == pytest.approx(75.0)
    assert indicator("outreach_meetings") == 1
    assert (indicator("outreach_partners_efs"), indicator("outreach_partners_relay")) == (23, 10)
    with pytest.raises(ValidationError, match="pas invité"):
        network.attendance_record(meeting=meeting, present={ended.pk}, acting_user=None)


def test_the_halte_repit_permanences_and_their_report(make_user):
    agent = make_user(Role.CASE_WORKER)
    action = network.action_create(
        title="Permanences à la Halte-Répit",
        requested_by="Halte-Répit de Poitiers",
        audience="Aidants familiaux",
        place="Halte-Répit, Poitiers",
        commune=Commune.objects.get(insee_code="86194"),
        co_organisers="Cpam de la Vienne",
        first_day=dt.date(2022, 4, 1),
        last_day=dt.date(2022, 6, 30),
        acting_user=None,
    )
    people = [4, 3, 4, 3, 3]
    days = [dt.date(2022, 4, 5), dt.date(2022, 4, 19), dt.date(2022, 5, 3), dt.date(2022, 5, 17)]
    sessions = [
        network.session_record(action=action, held_on=day, people_received=n, acting_user=None)
        for day, n in zip([*days, dt.date(2022, 6, 7)], people, strict=True)
    ]
    with pytest.raises(ValidationError, match="pendant l'action"):
        network.session_record(
            action=action, held_on=dt.date(2022, 7, 1), people_received=1, acting_user=None
        )
    # A second session the same day (two agents saving at once included): refused in French by
    # the unique constraint, and the first one is kept.
    with pytest.raises(ValidationError, match="déjà enregistrée"):
        network.session_record(action=action, held_on=days[0], people_received=9, acting_user=None)
    assert action.sessions.get(held_on=days[0]).people_received == 4
    household = HouseholdFactory(number="7300001")
    with pytest.raises(ValidationError, match="consentement"):
        network.outcome_record(
            session=sessions[0], kind="claim", benefit="aah", household=household, acting_user=agent
        )
    network.outcome_record(
        session=sessions[0],
        kind="claim",
        benefit="aah",
        household=household,
        consent=True,
        acting_user=agent,
    )
    network.outcome_record(session=sessions[1], kind="revised", acting_user=agent)
    report = selectors.action_report(action)
    assert (report.sessions, report.people_received, report.households_linked) == (5, 17, 1)
    assert report.outcomes == {
        ActionOutcomeKind.CLAIM_OPENED.label: 1,
        ActionOutcomeKind.RIGHT_REVISED.label: 1,
    }
    assert indicator("outreach_action_sessions") == 5
    assert indicator("outreach_action_people") == 17
    # The database refuses a household linked without consent, whatever the code path.
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionOutcome.objects.create(
            session=sessions[2],
            kind="claim",
            household=household,
            recorded_at=clock.now(),
            recorded_by=agent,
        )
