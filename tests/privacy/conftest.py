"""A small world where each household appears in one place an agent can see it: the search, its
file, the day screen's queue and appointments, the call-back queue, the e-mail and document
queues, an agent's unmarked appointments."""

import base64
import datetime as dt
from decimal import Decimal

import pytest

from justedroit.appeals import services as appeals
from justedroit.appeals.models import Member
from justedroit.channels.models import (
    ContactReason,
    DocumentKind,
    EmailAttachment,
    EmailSource,
    QuarantinedEmail,
)
from justedroit.channels.services import calls, documents, emails, mailbox
from justedroit.controls.models import (
    ControlKind,
    ControlOrigin,
    RandomSample,
    TargetingModel,
    TargetingScore,
)
from justedroit.controls.services import control_open
from justedroit.controls.targeting import FEATURE_NAMES
from justedroit.core import clock
from justedroit.core.roles import Role
from justedroit.cycle.letters import letter_queue
from justedroit.entitlements.models import Payment, Run
from justedroit.fraud import services as fraud
from justedroit.fraud.models import Qualification
from justedroit.outreach import services as outreach
from justedroit.outreach.models import (
    Campaign,
    Candidate,
    CandidateGroup,
    ContactChannel,
    PartnerKind,
    Referral,
)
from justedroit.outreach.services import network
from justedroit.reception.models import (
    Appointment,
    AppointmentType,
    BookedVia,
    Queue,
    Site,
    VisitReason,
)
from justedroit.reception.services import ticket_issue
from justedroit.recovery.models import Debt
from justedroit.recovery.services import debts_notify
from justedroit.registry import services as registry
from justedroit.registry.contacts import contact_point_record
from justedroit.registry.models import (
    Benefit,
    Claim,
    ClaimStatus,
    ContactKind,
    ContactSource,
    FactKind,
    FactSource,
)
from justedroit.reporting import document
from justedroit.reporting import services as reporting
from justedroit.reporting.selectors import indicator_report
from tests.channels.conftest import PDF, document_dir  # noqa: F401 (autouse fixture)
from tests.channels.mail import eml, with_attachment
from tests.factories import HouseholdFactory, claimant
from tests.recovery.helpers import indu

SALARY = Decimal("1234.56")
PAID = Decimal("321.09")


def _household(number: str, last_name: str, serial: int):
    return HouseholdFactory(
        number=number, members=[claimant(last_name=last_name, first_name="Alex", serial=serial)]
    )


@pytest.fixture
def world(db, make_user, tmp_path):
    now = clock.now()
    file = _household("8610001", "Durand", 1)
    ticket_household = _household("8610002", "Bernard", 2)
    appointment_household = _household("8610003", "Petit", 3)
    callback_household = _household("8610004", "Robert", 4)
    thread_household = _household("8610005", "Richard", 5)
    document_household = _household("8610006", "Moreau", 6)
    unmarked_household = _household("8610007", "Simon", 7)
    person = file.memberships.get().person
    registry.fact_record(
        household=file,
        person=person,
        kind=FactKind.SALARY,
        valid_from=dt.date(2022, 1, 1),
        valid_until=None,
        amount=SALARY,
        source=FactSource.DECLARATION,
        acting_user=None,
    )
    Claim.objects.create(
        household=file,
        benefit=Benefit.AF,
        start_month=dt.date(2022, 1, 1),
        status=ClaimStatus.GRANTED,
        recorded_at=now,
    )
    run = Run.objects.create(month=dt.date(2022, 6, 1), as_of=now, wet=True, started_at=now)
    Payment.objects.create(
        run=run,
        household=file,
        benefit=Benefit.AF,
        month=dt.date(2022, 6, 1),
        amount=PAID,
        paid_at=now,
    )
    payslip = documents.document_upload(
        household=file,
        kind=DocumentKind.PAYSLIP,
        filename="bulletin.pdf",
        content=PDF,
        acting_user=None,
    )
    queued_document = documents.document_upload(
        household=document_household,
        kind=DocumentKind.BANK_DETAILS,
        filename="rib.pdf",
        content=PDF,
        acting_user=None,
    )
    poitiers = Site.objects.get(slug="poitiers")
    ticket_issue(
        site=poitiers,
        queue=Queue.RECEPTION,
        reason=VisitReason.PAYMENT,
        household=ticket_household,
        acting_user=None,
    )
    case_worker = make_user(Role.CASE_WORKER)
    in_person = AppointmentType.objects.get(code="dossier-sur-place")
    for household, hour in ((appointment_household, 14), (unmarked_household, 9)):
        starts = dt.datetime.combine(clock.today(), dt.time(hour), tzinfo=clock.PARIS)
        Appointment.objects.create(
            household=household,
            type=in_person,
            channel=in_person.channel,
            agent=case_worker,
            site=poitiers,
            starts_at=starts,
            ends_at=starts + dt.timedelta(minutes=30),
            booked_via=BookedVia.AGENT,
            created_at=now,
        )
    calls.callback_request_create(
        phone="0549000000",
        reason=ContactReason.PAYMENT,
        household=callback_household,
        acting_user=None,
    )
    emails.email_receive(
        inbound=emails.InboundEmail(
            "alex.richard@example.org", "Question", "Bonjour", "<w1@example.org>", now
        ),
        source=EmailSource.PORTAL,
        household=thread_household,
        acting_user=None,
    )
    attachment, quarantined = _mailbox(tmp_path, _household("8610008", "Leroy", 8))
    control = control_open(
        household=file,
        kind=ControlKind.ON_SITE,
        origin=ControlOrigin.RANDOM_SAMPLE,
        acting_user=None,
    )
    overpaid = indu(file, Benefit.AF, dt.date(2022, 5, 1), "120.00")  # a debt on the recovery pages
    debts_notify(acting_user=None)
    letter_queue(household=file, month=dt.date(2022, 6, 1), adjustments=[overpaid])
    _scored(ticket_household, now)
    with clock.frozen(dt.datetime(2022, 8, 1, 9)):
        fraud_file = fraud.fraud_file_open(
            household=file,
            report="Signalement d'un partenaire.",
            facts="Ressources non déclarées.",
            first_month=dt.date(2022, 3, 1),
            last_month=dt.date(2022, 5, 1),
            acting_user=make_user(Role.CONTROLLER),
        )
        fraud.fraud_qualify(
            file=fraud_file,
            qualification=Qualification.FAULT,
            reasons="Omission.",
            acting_user=make_user(Role.CONTROLLER),
        )
        fraud.notice_send(
            file=fraud_file, amount=Decimal(100), acting_user=make_user(Role.CONTROLLER)
        )
    campaign = _campaign_with_a_call(file)
    _referral(file, make_user)
    meeting, action = _partner_network(file, make_user)
    appeal, court_case = _appeal(file, make_user)
    report_version = reporting.report_version_create(
        document=document.document(indicator_report(2022)), acting_user=make_user(Role.DIRECTOR)
    )
    return {
        "report_version": report_version,
        "campaign": campaign,
        "meeting": meeting,
        "action": action,
        "file": file,
        "fraud": fraud_file,
        "appeal": appeal,
        "court_case": court_case,
        "control": control,
        "attachment": attachment,
        "quarantined": quarantined,
        "nir": person.nir,
        "payslip": payslip,
        "queued_document": queued_document,
        "thread": thread_household.email_threads.get(),
        "numbers": [
            h.number
            for h in (
                file,
                ticket_household,
                appointment_household,
                callback_household,
                thread_household,
                document_household,
                unmarked_household,
                attachment.message.thread.household,
            )
        ],
    }


def _campaign_with_a_call(household):
    """A datamining campaign whose phone worklist holds `household`."""
    campaign = Campaign.objects.create(
        name="PPA",
        benefit="ppa",
        month=dt.date(2022, 6, 1),
        as_of=clock.now(),
        min_amount=Decimal("15"),
        data_max_age_months=6,
        quiet_months=12,
        comparison_share=Decimal("0.1"),
        seed=1,
        planned_at=clock.now(),
    )
    Candidate.objects.create(
        campaign=campaign,
        household=household,
        estimated_amount=Decimal("120"),
        explanation={},
        group=CandidateGroup.CONTACTED,
        channel=ContactChannel.PHONE,
    )
    return campaign


def _partner_network(household, make_user):
    """An information meeting, and a collective action whose result is linked to `household`
    with the person's consent (the action's page shows it: an audited consultation)."""
    meeting = network.meeting_plan(
        held_on=dt.date(2022, 6, 14),
        title="Réunion de juin",
        agenda="Actualités.",
        acting_user=None,
    )
    action = network.action_create(
        title="Permanences à la Halte-Répit",
        requested_by="Halte-Répit de Poitiers",
        audience="Aidants familiaux",
        place="Halte-Répit, Poitiers",
        commune=household.commune,
        co_organisers="Cpam de la Vienne",
        first_day=dt.date(2022, 4, 1),
        last_day=dt.date(2022, 6, 30),
        acting_user=None,
    )
    session = network.session_record(
        action=action, held_on=dt.date(2022, 4, 5), people_received=4, acting_user=None
    )
    network.outcome_record(
        session=session,
        kind="claim",
        benefit="aah",
        household=household,
        consent=True,
        acting_user=make_user(Role.CASE_WORKER),
    )
    return meeting, action


def _referral(household, make_user):
    """A partner's referral of `household`, waiting in the agents' worklist."""
    relay = outreach.partner_create(
        kind=PartnerKind.RELAY,
        name="Point relais Caf (vie privée)",
        commune=household.commune,
        acting_user=None,
    )
    Referral.objects.create(
        partner=relay,
        household=household,
        reason="Aide à la demande",
        created_at=clock.now(),
        created_by=make_user(Role.PARTNER_RELAY),
    )


def _appeal(file, make_user):
    """A remission of the file's debt decided in a session the CRA member's account sits on, and
    the court case that follows."""
    secretary = make_user(Role.CRA_SECRETARY)
    colleges = ["insured", "insured", "employer", "employer", "other"]
    members = [Member.objects.create(name=f"Membre {i}", college=c) for i, c in enumerate(colleges)]
    members[0].user = make_user(Role.CRA_MEMBER)
    members[0].save()
    debt = Debt.objects.get(household=file)
    case = appeals.case_receive(
        household=file,
        kind="remission",
        channel="paper",
        benefit=debt.benefit,
        debt=debt,
        contested_decision="Notification d'indu",
        notified_on=debt.notified_on,
        received_on=debt.notified_on,
        acting_user=secretary,
    )
    appeals.case_instruct(case=case, acting_user=secretary, proposal="reject")
    session = appeals.session_create(held_on=clock.today(), members=members, acting_user=secretary)
    appeals.agenda_add(session=session, cases=[case], acting_user=secretary)
    appeals.attendance_record(session=session, present=members[:3], acting_user=secretary)
    appeals.case_decide(
        case=case,
        session=session,
        outcome="reject",
        reasons="Ressources suffisantes.",
        votes=dict.fromkeys(members[:3], "for"),
        acting_user=secretary,
    )
    court_case = appeals.court_case_file(
        household=file,
        nature="contest",
        appeal_case=case,
        filed_on=clock.today(),
        acting_user=secretary,
    )
    return (case, session), court_case


def _mailbox(tmp_path, household):
    """An e-mail with a PDF attachment from the household's declared address, and a message the
    import quarantined (a date no mail server sends)."""
    contact_point_record(
        household=household,
        kind=ContactKind.EMAIL,
        value="alex.leroy@example.org",
        source=ContactSource.DECLARED,
        acting_user=None,
    )
    with_pdf = with_attachment(
        b"Ci-joint.",
        filename="avis.pdf",
        content_type="application/pdf",
        payload_b64=base64.b64encode(PDF).decode(),
    ).replace(b"paul.durand@example.org", b"alex.leroy@example.org")
    (tmp_path / "pj.eml").write_bytes(with_pdf)
    (tmp_path / "bad.eml").write_bytes(eml(date="Fri, 31 Dec 9999 10:00:00 +0100"))
    mailbox.emails_import_dir(directory=tmp_path, acting_user=None)
    return EmailAttachment.objects.get(), QuarantinedEmail.objects.get()


def _scored(household, now):
    """A household on the targeting list (a model version and its score)."""
    sample = RandomSample.objects.create(
        year=2022,
        kind=ControlKind.DOCUMENTS,
        seed=1,
        reference_day=now.date(),
        population=1,
        drawn_at=now,
    )
    model = TargetingModel.objects.create(
        trained_at=now,
        sample=sample,
        features=list(FEATURE_NAMES),
        intercept=-1.0,
        coefficients=dict.fromkeys(FEATURE_NAMES, 0.1),
        standard_errors=dict.fromkeys(("intercept", *FEATURE_NAMES), 0.05),
        training_size=30,
        positives=5,
        penalty=1.0,
    )
    TargetingScore.objects.create(
        model=model,
        household=household,
        computed_at=now,
        as_of=now,
        values=dict.fromkeys(FEATURE_NAMES, 1.0),
        score=0.5,
    )
