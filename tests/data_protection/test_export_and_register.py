"""Issue 9, item 9: the DPO exports everything held about a person (access and portability),
audited; the register of processing activities is drawn from the retention table."""

import datetime as dt
import html
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import reverse
from django.views.debug import SafeExceptionReporterFilter

from justedroit.core.models import AuditAction, AuditEvent
from justedroit.core.roles import Role
from justedroit.data_protection import retention
from justedroit.registry.models import Fact, FactKind, FactSource, MemberRole
from tests.data_protection.conftest import OLD, a_file

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent.parent
EXPORT = "data_protection:subject_export"


@pytest.fixture
def dpo(client, make_user):
    client.force_login(make_user(Role.DATA_PROTECTION_OFFICER, username="dpo"))
    return client


@pytest.fixture
def family(recent_file):
    """The claimant and a spouse with an income of her own, which the claimant's export leaves
    out; an agent consulted the file."""
    spouse = a_file("8600077", at=OLD, serial=77, last_name="Martin").memberships.get().person
    recent_file.memberships.create(
        person=spouse, role=MemberRole.SPOUSE, start_date=dt.date(2022, 6, 1)
    )
    Fact.objects.create(
        household=recent_file,
        person=spouse,
        kind=FactKind.SALARY,
        valid_from=dt.date(2022, 6, 1),
        amount="2345.67",
        source=FactSource.DECLARATION,
        recorded_at=dt.datetime(2022, 6, 20, 9, tzinfo=dt.UTC),
    )
    return recent_file


def test_the_export_by_nir_gives_json_with_everything_held_and_is_audited(dpo, family):
    person = family.memberships.get(role="claimant").person
    response = dpo.post(reverse(EXPORT), {"nir": person.nir, "format": "json"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["identite"]["nir"] == person.nir
    (household,) = [h for h in data["foyers"] if h["numero_allocataire"] == family.number]
    assert [f["amount"] for f in household["faits"]] == ["1500.00"]  # not the spouse's salary
    assert [p["amount"] for p in household["paiements"]] == ["140.00"]
    assert household["demandes"][0]["benefit"] == "Allocations familiales"
    assert {m["prenom"] for m in household["membres"]} == {"Paul"}  # names and roles only
    assert "nir" not in household["membres"][0]
    assert household["acces_au_dossier"], "the file's creation is in the audit trail"
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert (event.actor.username, event.object_id, event.detail["format"]) == (
        "dpo",
        str(person.pk),
        "json",
    )
    assert list(event.households.values_list("number", flat=True)) == [family.number]
    assert person.nir not in json.dumps(event.detail) + event.reason
    reported = SafeExceptionReporterFilter().get_post_parameters(response.wsgi_request)
    assert person.nir not in json.dumps(reported)


def test_by_household_number_the_dpo_chooses_a_member_then_reads_the_html(dpo, family):
    listing = dpo.post(reverse(EXPORT), {"number": family.number, "format": "html"})
    assert listing.status_code == 200
    assert "Martin" in listing.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, households__number=family.number
    ).exists()
    spouse = family.memberships.get(role="spouse").person
    page = dpo.post(
        reverse(EXPORT), {"number": family.number, "person": spouse.pk, "format": "html"}
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert spouse.nir in text and "2345.67" in text  # her own income, in her export
    assert "Accès au dossier" in text
    assert AuditEvent.objects.get(action=AuditAction.EXPORT).object_id == str(spouse.pk)


def test_a_member_of_another_household_cannot_be_exported_through_this_one(dpo, family, old_file):
    outsider = old_file.memberships.get().person
    response = dpo.post(
        reverse(EXPORT), {"number": family.number, "person": outsider.pk, "format": "json"}
    )
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_a_bad_or_missing_identifier_is_refused_in_french(dpo):
    assert "Indiquez un NIR" in dpo.post(reverse(EXPORT), {"format": "html"}).content.decode()
    bad = dpo.post(reverse(EXPORT), {"nir": "123", "format": "html"})
    assert bad.status_code == 400 and "NIR invalide" in bad.content.decode()


def test_only_the_dpo_exports(client, make_user, family):
    person = family.memberships.get(role="claimant").person
    for role in Role:
        if role == Role.DATA_PROTECTION_OFFICER:
            continue
        client.force_login(make_user(role))
        response = client.post(reverse(EXPORT), {"nir": person.nir, "format": "json"})
        assert response.status_code == 403, role
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_register_is_drawn_from_the_retention_table(client, make_user):
    client.force_login(make_user(Role.DIRECTOR))
    text = html.unescape(
        client.get(reverse("data_protection:processing_register")).content.decode()
    )
    for processing in retention.PROCESSINGS:
        assert processing.name in text
    for rule in retention.RULES:
        assert rule.label in text and rule.runs_from in text


def test_the_documented_retention_table_is_the_one_the_purge_applies():
    documented = (ROOT / "docs" / "conservation.md").read_text(encoding="utf-8")
    assert documented == retention.markdown(), (
        "Régénérez : .venv/bin/python -m justedroit.data_protection.retention "
        "> docs/conservation.md"
    )


def test_every_table_holding_personal_data_has_a_rule():
    """A new model of a domain must be given a retention rule, or said to need none here."""
    covered = {label for rule in retention.RULES for label in rule.tables}
    below = {
        "reception.Notification",  # with its appointment
        "entitlements.AdjustmentCause",  # with its adjustment
        "core.ApiIdempotencyKey",
        "core.ExternalIdentity",  # with the account it identifies
        "exchanges.ExchangeFile",  # with its import journal
        "cycle.AdjustmentLetter",  # with its household's file
        "twin.TruePeriod",  # the twin's truth, with its (synthetic) household
        "twin.TrueProcessing",  # the twin's truth, with its act's (synthetic) household
        # The debt ledger goes with its household's file, which is kept 5 years after its last
        # indu (see the rule « Dossier allocataire »).
        "recovery.Debt",
        "recovery.DebtIndu",
        "recovery.DebtFraudFound",
        "recovery.DebtEntry",
        "recovery.MonthlyRetention",
        "recovery.Withholding",
        "recovery.RepaymentPlan",
        "recovery.ContentiousStep",
        "recovery.DebtLetter",
        "fraud.PreventionLetter",  # with its household's file
        "outreach.Candidate",  # with its campaign
        "outreach.CampaignSms",  # with its candidate's campaign
        "outreach.WelcomeEmail",  # with its household's file
        "outreach.Referral",  # with its household's file
        "outreach.ActionOutcome",  # with its household's file (linked only with consent)
        "outreach.OptOut",  # with its household's file: honoured as long as the file lives
        # A verification's sampled act and its review go with the act's household's file.
        "quality.SampleItem",
        "quality.Review",
        "recovery.Suspension",  # with its debt
        # Appeals and court cases decide on the debts and rights of the household's file and go
        # with it (rule « Dossier allocataire »).
        "appeals.AppealCase",
        "appeals.CaseEvent",
        "appeals.Instruction",
        "appeals.AgendaItem",
        "appeals.Decision",
        "appeals.Vote",
        "appeals.CourtCase",
        "appeals.Hearing",
    }
    no_personal_data = {
        "registry.Commune",
        "quality.Team",
        "quality.TeamMembership",  # agents' teams: authorisations management
        "quality.QualityAction",  # about agents (staff) and teams, never an allocataire
        "quality.SamplingPlan",  # a design, its seed and its author; no household
        "quality.Process",  # the DQI map and its pilot (staff); no household
        "quality.ProcessRisk",
        "quality.ProcessIndicator",
        "quality.TargetChange",  # a target's history and its author (staff); no household
        "reception.Site",
        "reception.OpeningHours",
        "reception.Closure",
        "reception.AccessibilityResource",
        "reception.AppointmentType",
        "reception.OpeningSlot",  # agents' schedules: authorisations management
        "reception.SlotOverride",
        "reception.Absence",
        "outreach.Partner",
        "outreach.PartnerMember",
        "outreach.InformationMeeting",
        "outreach.MeetingInvitation",  # partners (organisations), not persons
        "outreach.CollectiveAction",
        "outreach.ActionSession",  # a count of people received, nobody named
        "outreach.InformationMaterial",  # news for partners, uploaded by staff
        "outreach.MaterialDownload",  # a count per partner, nobody named
        "entitlements.Run",
        "cycle.CycleStep",
        "controls.ControlArea",
        "controls.SwornController",  # an agent's approval: authorisations management
        "controls.RandomSample",  # year, seed, sizes; its households are its controls'
        "controls.TargetingModel",  # coefficients and sample sizes
        "appeals.Member",  # board members appointed to the CRA: authorisations management
        "appeals.Session",  # a date and the members convened
        "appeals.Attendance",  # members present at a session
        "twin.TwinBuild",
        "twin.TwinSimulation",
        "core.User",  # agents: authorisations management; allocataires: with their file
        # The annual report: aggregate figures, and texts and news written by staff.
        "reporting.ReportVersion",
        "reporting.SectionText",
        "reporting.NewsItem",
        "reporting.Target",  # the dashboards' targets: figures and their source
    }
    domain_models = {
        m._meta.label for m in apps.get_models() if m.__module__.startswith("justedroit.")
    }
    assert domain_models - covered - below - no_personal_data == set()
