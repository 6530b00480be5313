from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from justedroit.core.models import AuditEvent
from justedroit.core.roles import Role
from justedroit.registry.models import HouseholdAccount
from tests.factories import HouseholdFactory, UserFactory
from tests.shared_world import world_transaction

pytestmark = pytest.mark.django_db
R = Role
AGENTS = {
    R.RECEPTION,
    R.CASE_WORKER,
    R.CONTROLLER,
    R.RECOVERY_AGENT,
    R.CRA_SECRETARY,
    R.CRA_MEMBER,
    R.LEGAL,
    R.VERIFIER,
    R.ACCOUNTANT,
    R.MANAGER,
    R.PROCESS_PILOT,
    R.DIRECTOR,
    R.ADMINISTRATOR,
    R.DATA_PROTECTION_OFFICER,
}
DESK = {R.RECEPTION, R.CASE_WORKER, R.MANAGER, R.ADMINISTRATOR}
FILE_READERS = {
    R.RECEPTION,
    R.CASE_WORKER,
    R.CONTROLLER,
    R.RECOVERY_AGENT,
    R.CRA_SECRETARY,
    R.VERIFIER,
    R.MANAGER,
    R.ADMINISTRATOR,
}
# Need-to-know: incomes, payments, explanations and documents only for the roles processing files.
FILE_WORKERS = FILE_READERS - {R.RECEPTION, R.ADMINISTRATOR}

# Every URL name → the roles that get a 200. Written out by hand, not derived from perms.py, so
# that a change of permission shows up here. Public pages are listed apart.
ALLOWED = {
    "core:agent_home": AGENTS,
    "core:audit_trail": {R.DATA_PROTECTION_OFFICER, R.ADMINISTRATOR},
    "core:password_change": set(Role),
    "core:password_change_done": set(Role),
    "core:failed_sends": {R.MANAGER, R.ADMINISTRATOR},
    "core:audit_export": {R.DATA_PROTECTION_OFFICER, R.ADMINISTRATOR},
    "registry:household_search": FILE_READERS,
    "registry:consultation": FILE_READERS,
    "registry:household_detail": FILE_READERS,
    "reporting:indicators": {R.MANAGER, R.PROCESS_PILOT, R.DIRECTOR, R.VERIFIER, R.ADMINISTRATOR},
    "reporting:indicators_csv": {
        R.MANAGER,
        R.PROCESS_PILOT,
        R.DIRECTOR,
        R.VERIFIER,
        R.ADMINISTRATOR,
    },
    "reporting:report": {
        R.MANAGER,
        R.PROCESS_PILOT,
        R.DIRECTOR,
        R.VERIFIER,
        R.ADMINISTRATOR,
    },
    "reporting:report_pdf": {
        R.MANAGER,
        R.PROCESS_PILOT,
        R.DIRECTOR,
        R.VERIFIER,
        R.ADMINISTRATOR,
    },
    "reporting:report_json": {
        R.MANAGER,
        R.PROCESS_PILOT,
        R.DIRECTOR,
        R.VERIFIER,
        R.ADMINISTRATOR,
    },
    "reporting:inconsistencies": {
        R.MANAGER,
        R.PROCESS_PILOT,
        R.DIRECTOR,
        R.VERIFIER,
        R.ADMINISTRATOR,
    },
    "reporting:dashboards": {
        R.MANAGER,
        R.PROCESS_PILOT,
        R.DIRECTOR,
        R.VERIFIER,
        R.ADMINISTRATOR,
    },
    "reporting:dashboard": {
        R.MANAGER,
        R.PROCESS_PILOT,
        R.DIRECTOR,
        R.VERIFIER,
        R.ADMINISTRATOR,
    },
    "portal:payments": {R.CLAIMANT},
    "portal:claimant_home": {R.CLAIMANT},
    "portal:partner_home": {R.PARTNER_EFS, R.PARTNER_RELAY},
    "entitlements:household_rights": FILE_WORKERS,
    "entitlements:explanation": FILE_WORKERS,
    "reception:sites": DESK,
    "reception:site_day": DESK,
    "reception:book": DESK,
    "reception:unmarked": DESK,
    "reception:calls": DESK,
    "reception:planning": {R.MANAGER, R.ADMINISTRATOR},
    "reception:planning_slots": {R.MANAGER, R.ADMINISTRATOR},
    "reception:planning_absences": {R.MANAGER, R.ADMINISTRATOR},
    "reception:planning_closures": {R.MANAGER, R.ADMINISTRATOR},
    "reception:planning_permanences": {R.MANAGER, R.ADMINISTRATOR},
    "reception:planning_hours": {R.MANAGER, R.ADMINISTRATOR},
    "portal:reception_book": {R.CLAIMANT},
    "portal:partner_book": {R.PARTNER_EFS, R.PARTNER_RELAY},
    "portal:reception_appointments": {R.CLAIMANT},
    "core:api_tokens": {R.MANAGER, R.ADMINISTRATOR},
    "outreach:mandate_record": DESK,
    "portal:outreach_mandates": {R.CLAIMANT},
    "portal:outreach_rights": {R.CLAIMANT},
    "portal:outreach_partner_household": {R.PARTNER_EFS, R.PARTNER_RELAY},
    "outreach:referrals": {R.RECEPTION, R.CASE_WORKER, R.MANAGER},
    "outreach:meetings": {R.CASE_WORKER, R.MANAGER},
    "outreach:actions": {R.CASE_WORKER, R.MANAGER},
    "portal:outreach_partner_material": {R.PARTNER_EFS, R.PARTNER_RELAY},
    "data_protection:subject_export": {R.DATA_PROTECTION_OFFICER},
    "data_protection:processing_register": {R.DATA_PROTECTION_OFFICER, R.DIRECTOR},
    "exchanges:files": {R.CONTROLLER, R.MANAGER},
    "recovery:worklist": {R.RECOVERY_AGENT, R.MANAGER},
    "recovery:balance": {R.ACCOUNTANT, R.VERIFIER, R.DIRECTOR},
    "recovery:household_debts": FILE_WORKERS,
    "portal:recovery_debts": {R.CLAIMANT},
    "quality:plans": {R.VERIFIER, R.ACCOUNTANT, R.DIRECTOR, R.PROCESS_PILOT},
    "quality:my_results": AGENTS,
    "quality:agents_results": {R.MANAGER},
    "quality:supervision": {R.MANAGER},
    "appeals:worklist": {R.CRA_SECRETARY, R.MANAGER},
    "appeals:sessions": {R.CRA_SECRETARY, R.MANAGER, R.CRA_MEMBER},
    "appeals:courts": {R.LEGAL, R.MANAGER},
    "portal:appeals": {R.CLAIMANT},
    "quality:datamining": {R.VERIFIER},
    "quality:process_map": {R.PROCESS_PILOT, R.MANAGER, R.DIRECTOR, R.VERIFIER, R.ACCOUNTANT},
}
# Logging in and recovering a password are open to anonymous visitors (tests/test_login.py,
# tests/test_oidc.py). The partner API authenticates each request with a bearer token, not a
# session (and answers any other path under /api/v1/ with its JSON 404: `api:unknown`); so does
# the SMS provider's webhook (tests/reception/test_notification_delivery.py).
PUBLIC = {
    "core:home",
    "core:login",
    "core:logout",
    "core:health",
    "core:caf_agents_login",
    "core:caf_agents_callback",
    "core:franceconnect_login",
    "core:franceconnect_callback",
    "core:password_reset",
    "core:password_reset_done",
    "core:password_reset_confirm",
    "core:password_reset_complete",
    "api:api-root",
    "api:openapi-json",
    "api:openapi-view",
    "api:slots",
    "api:book",
    "api:appointments",
    "api:appointment",
    "api:cancel",
    "api:unknown",
    "reception:sms_receipts",
    "outreach:sms_inbound",
}
ARGS = {
    "reporting:dashboard": ["controles"],
    "registry:household_detail": ["1234567"],
    "entitlements:household_rights": ["1234567"],
    "entitlements:explanation": ["1234567", "2022-06"],
    "reception:site_day": ["poitiers"],
    "reception:calls": ["poitiers"],
    "recovery:household_debts": ["1234567"],
}
# URLs whose every-role matrix lives with their domain's tests (they need domain objects).
TESTED_ELSEWHERE = {
    "portal:payment_explanation": "tests/entitlements/test_web.py",
    "channels:home": "tests/channels/test_permissions.py",
    "channels:statistics": "tests/channels/test_permissions.py",
    "channels:email_thread": "tests/channels/test_permissions.py",
    "channels:document_paper": "tests/channels/test_permissions.py",
    "channels:document_detail": "tests/channels/test_permissions.py",
    "channels:document_file": "tests/channels/test_permissions.py",
    "channels:triage": "tests/channels/test_permissions.py",
    "channels:quarantine": "tests/channels/test_permissions.py",
    "channels:quarantine_detail": "tests/channels/test_permissions.py",
    "channels:email_attachment": "tests/channels/test_permissions.py",
    "channels:imports_journal": "tests/channels/test_permissions.py",
    "channels:task_assign": "tests/channels/test_worklists.py",
    "portal:channels_contact": "tests/channels/test_permissions.py",
    "portal:channels_documents": "tests/channels/test_permissions.py",
    "portal:channels_declaration": "tests/channels/test_permissions.py",
    "controls:worklist": "tests/controls/test_permissions.py",
    "controls:control": "tests/controls/test_permissions.py",
    "controls:visit_report": "tests/controls/test_permissions.py",
    "controls:plan": "tests/controls/test_permissions.py",
    "portal:controls_requests": "tests/controls/test_permissions.py",
    "controls:targeting": "tests/controls/test_permissions.py",
    "controls:targeting_list": "tests/controls/test_permissions.py",
    "controls:targeting_audit": "tests/controls/test_permissions.py",
    "quality:plan": "tests/quality/test_pages.py",
    "quality:plan_chart": "tests/quality/test_pages.py",
    "quality:review": "tests/quality/test_pages.py",
    "quality:action_close": "tests/quality/test_pages.py",
    "quality:process": "tests/quality/test_dqi_pages.py",
    "quality:process_action_close": "tests/quality/test_dqi_pages.py",
    "quality:process_review": "tests/quality/test_dqi_pages.py",
    "quality:process_chart": "tests/quality/test_dqi_pages.py",
    "fraud:worklist": "tests/fraud/test_permissions.py",
    "fraud:file": "tests/fraud/test_permissions.py",
    "fraud:director": "tests/fraud/test_permissions.py",
    "fraud:decision": "tests/fraud/test_permissions.py",
    "fraud:letter": "tests/fraud/test_permissions.py",
    "recovery:letter": "tests/recovery/test_pages.py",
    "cycle:letters": "tests/cycle/test_letter_pages.py",
    "cycle:letter": "tests/cycle/test_letter_pages.py",
    "portal:fraud_notices": "tests/fraud/test_permissions.py",
    "outreach:campaign": "tests/outreach/test_campaign_page.py",
    "outreach:meeting": "tests/outreach/test_network_pages.py",
    "outreach:action": "tests/outreach/test_network_pages.py",
    "portal:outreach_partner_material_file": "tests/outreach/test_network_pages.py",
    "appeals:case": "tests/appeals/test_pages.py",
    "appeals:decision_letter": "tests/appeals/test_pages.py",
    "appeals:session": "tests/appeals/test_pages.py",
    "appeals:minutes": "tests/appeals/test_pages.py",
    "appeals:court_case": "tests/appeals/test_pages.py",
    "reporting:report_version": "tests/reporting/test_versions.py",
    "portal:reception_confirm": "tests/reception/test_booking_pages.py",
    "portal:reception_appointment": "tests/reception/test_booking_pages.py",
    "portal:reception_ics": "tests/reception/test_booking_pages.py",
    "portal:reception_move": "tests/reception/test_booking_pages.py",
    "portal:partner_confirm": "tests/reception/test_booking_pages.py",
}


def url_names(resolver=None, namespace=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from url_names(entry, entry.namespace or namespace)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}:{entry.name}"


@pytest.fixture
def household(db):
    return HouseholdFactory(number="1234567")


def test_every_url_is_in_the_permission_matrix():
    assert set(url_names()) == set(ALLOWED) | PUBLIC | set(TESTED_ELSEWHERE)
    root = Path(__file__).resolve().parent.parent
    for name, path in TESTED_ELSEWHERE.items():
        assert f'"{name}"' in (root / path).read_text(encoding="utf-8"), (name, path)


class TestEveryUrlForEveryRole:
    """A user per role and the household their pages show, made once for the whole matrix (a
    thousand requests); each request still runs in its own savepoint."""

    @pytest.fixture(scope="class")
    def users(self, django_db_setup, django_db_blocker):
        with world_transaction(django_db_blocker):
            household = HouseholdFactory(number="1234567")
            users = {role: UserFactory(role=role, username=f"u-{role.value}") for role in Role}
            HouseholdAccount.objects.create(user=users[Role.CLAIMANT], household=household)
            yield users

    @pytest.mark.parametrize("role", list(Role))
    @pytest.mark.parametrize("name", sorted(ALLOWED))
    def test_get(self, client, users, role, name):
        client.force_login(users[role])
        response = client.get(reverse(name, args=ARGS.get(name, [])))
        assert response.status_code == (200 if role in ALLOWED[name] else 403)


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_anonymous_visitors_are_sent_to_login(client, name):
    response = client.get(reverse(name, args=ARGS.get(name, [])))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))


def test_home_sends_each_kind_of_user_to_their_space(client, make_user):
    for role, target in [
        (Role.CASE_WORKER, "core:agent_home"),
        (Role.CLAIMANT, "portal:claimant_home"),
        (Role.PARTNER_EFS, "portal:partner_home"),
    ]:
        client.force_login(make_user(role))
        assert client.get(reverse("core:home"))["Location"] == reverse(target)


def test_consulting_a_household_is_audited_with_its_reason(client, make_user, household):
    client.force_login(make_user(Role.CASE_WORKER, username="alice"))
    client.post(reverse("registry:consultation"), {"number": "1234567", "reason": "call"})
    response = client.get(reverse("registry:household_detail", args=["1234567"]))
    assert response.status_code == 200
    event = AuditEvent.objects.filter(action="view").get()
    assert (event.actor.username, event.household_number, event.reason) == (
        "alice",
        "1234567",
        "Appel de l'allocataire",
    )
    assert "alice" in response.content.decode()  # shown in "who viewed it"


def test_searching_is_audited(client, make_user, household):
    client.force_login(make_user(Role.RECEPTION))
    response = client.post(reverse("registry:household_search"), {"q": "Durand"})
    assert "1234567" in response.content.decode()
    event = AuditEvent.objects.get(action="search")
    assert event.detail == {"page": "Recherche par nom", "found": 1, "query": "Durand"}
    assert list(event.households.values_list("number", flat=True)) == ["1234567"]


def test_a_denied_read_leaves_no_trace_and_shows_nothing(client, make_user, household):
    client.force_login(make_user(Role.DIRECTOR))
    response = client.get(reverse("registry:household_detail", args=["1234567"]))
    assert response.status_code == 403
    assert "Durand" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="view").exists()


def test_case_worker_records_a_fact_from_the_household_page(client, make_user, household):
    client.force_login(make_user(Role.CASE_WORKER))
    url = reverse("registry:household_detail", args=["1234567"])
    person = household.memberships.get().person_id
    data = {
        "kind": "salary",
        "person": person,
        "valid_from": "2022-03",
        "amount": "1500",
        "source": "agent",
        "reason": "bulletin de salaire",
    }
    response = client.post(url, data, follow=True)
    assert response.redirect_chain[0][1] == 302
    fact = household.facts.get()
    assert fact.amount == 1500
    said = (
        f"Fait « {fact.get_kind_display()} » enregistré pour {fact.person}, à partir du 01/03/2022."
    )
    assert said in response.content.decode()
    bad = client.post(url, data | {"valid_from": "mars"})
    assert bad.status_code == 400
    assert "format attendu AAAA-MM" in bad.content.decode()
    assert household.facts.count() == 1


def test_reception_cannot_record_facts(client, make_user, household):
    client.force_login(make_user(Role.RECEPTION))
    url = reverse("registry:household_detail", args=["1234567"])
    response = client.post(
        url,
        {
            "kind": "salary",
            "valid_from": "2022-03",
            "amount": "1",
            "source": "agent",
            "reason": "x",
        },
    )
    assert response.status_code == 403
    assert not household.facts.exists()


def test_the_audit_trail_cannot_be_changed():
    event = AuditEvent.objects.create(
        at="2022-12-31T10:00:00+01:00", action="view", household_number="1234567"
    )
    with pytest.raises(PermissionDenied):
        event.reason = "effacer"
        event.save()
    with pytest.raises(PermissionDenied):
        event.delete()
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.filter(pk=event.pk).update(reason="x")
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.all().delete()
    with (
        pytest.raises(Exception, match="immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE core_auditevent SET reason = 'x' WHERE id = %s", [event.pk])


def test_audit_page_filters_by_household(client, make_user, household):
    viewer = make_user(Role.CASE_WORKER, username="bob")
    client.force_login(viewer)
    client.get(reverse("registry:household_detail", args=["1234567"]))
    client.force_login(make_user(Role.DATA_PROTECTION_OFFICER))
    page = client.get(
        reverse("core:audit_trail"), {"household_number": "1234567", "action": "view"}
    ).content.decode()
    assert "bob" in page and "1 événement" in page
    bad = client.get(reverse("core:audit_trail"), {"household_number": "12"})
    assert "7 chiffres" in bad.content.decode()


def test_login_is_throttled_after_five_failures(client, make_user):
    make_user(Role.CASE_WORKER, username="carol")
    for _ in range(5):
        client.post(reverse("core:login"), {"username": "carol", "password": "wrong"})
    response = client.post(reverse("core:login"), {"username": "carol", "password": "x"})
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()
