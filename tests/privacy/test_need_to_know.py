"""Issue 9, item 5: each role sees of a household only what its work needs; NIR searches stay out
of URLs, error reports and the audit trail."""

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.views.debug import SafeExceptionReporterFilter

from justedroit.channels import perms as channels_perms
from justedroit.core import need_to_know
from justedroit.core.models import AuditEvent
from justedroit.core.money import format_euros
from justedroit.core.need_to_know import NEEDS, DataKind
from justedroit.core.roles import AGENT_ROLES, Role
from justedroit.entitlements import perms as entitlements_perms
from justedroit.registry import perms as registry_perms
from justedroit.registry.models import HouseholdAccount
from justedroit.registry.nir import nir_display, nir_search_digest

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent.parent
K = DataKind


def test_the_documented_table_is_the_one_the_code_applies():
    documented = (ROOT / "docs" / "need-to-know.md").read_text(encoding="utf-8")
    assert documented == need_to_know.markdown(), (
        "Régénérez : .venv/bin/python -m justedroit.core.need_to_know > docs/need-to-know.md"
    )


def test_the_table_covers_every_agent_role_and_holds_together():
    assert set(NEEDS) == AGENT_ROLES
    for role, need in NEEDS.items():
        assert not need.kinds or K.IDENTITY in need.kinds, role  # data about someone identified
        if need.kinds & {K.PAYMENTS, K.DOCUMENTS}:  # rappels name their facts; pieces show pay
            assert K.RESOURCES in need.kinds, role
    # What the issue found open to the front desk is closed to it.
    assert NEEDS[Role.RECEPTION].kinds == {K.IDENTITY, K.CLAIMS, K.CONTACTS}


# Each app's permission functions read the table; none grants more than it.
PERMISSIONS = {
    registry_perms.can_view_household: K.IDENTITY,
    registry_perms.can_search_households: K.IDENTITY,
    registry_perms.can_view_full_nir: K.FULL_NIR,
    registry_perms.can_view_claims: K.CLAIMS,
    registry_perms.can_view_household_contacts: K.CONTACTS,
    registry_perms.can_view_household_resources: K.RESOURCES,
    entitlements_perms.can_view_entitlements: K.PAYMENTS,
    entitlements_perms.can_view_explanation: K.EXPLANATIONS,
    channels_perms.can_view_document: K.DOCUMENTS,
}
WRITERS = {
    registry_perms.can_record_fact: K.RESOURCES,
    entitlements_perms.can_recompute_household: K.PAYMENTS,
    channels_perms.can_process_document: K.DOCUMENTS,
}


@pytest.mark.parametrize("role", list(Role))
def test_permission_functions_follow_the_table(make_user, role):
    user = make_user(role)
    kinds = NEEDS[role].kinds if role in NEEDS else frozenset()
    for permission, kind in PERMISSIONS.items():
        assert permission(user) == (kind in kinds), (permission.__name__, role)
    for permission, kind in WRITERS.items():
        assert not permission(user) or kind in kinds, (permission.__name__, role)
    user.is_active = False
    assert not any(permission(user) for permission in PERMISSIONS)


def _amount_in(text: str, amount) -> bool:
    """Written plain, with a decimal comma, or as the pages write euros (1 234,56 €)."""
    plain = str(amount)
    written = format_euros(Decimal(plain))
    return plain in text or plain.replace(".", ",") in text or written in text


def visible_kinds(client, world) -> set[DataKind]:
    """What the household's pages show to the logged-in user, kind by kind."""
    number, nir = world["file"].number, world["nir"]
    kinds = set()
    page = client.get(reverse("registry:household_detail", args=[number]))
    if page.status_code == 200:
        text = page.content.decode()
        assert "Durand" in text
        kinds.add(K.IDENTITY)
        if nir_display(nir, full=True) in text:
            kinds.add(K.FULL_NIR)
        else:
            assert nir not in text and nir_display(nir, full=False) in text
        if "Demandes de prestations" in text:
            kinds.add(K.CLAIMS)
        if "Historique des contacts" in text:
            kinds.add(K.CONTACTS)
        if _amount_in(text, "1234.56"):
            kinds.add(K.RESOURCES)
    rights = client.get(reverse("entitlements:household_rights", args=[number]))
    if rights.status_code == 200 and _amount_in(rights.content.decode(), "321.09"):
        kinds.add(K.PAYMENTS)
    explanation = client.get(reverse("entitlements:explanation", args=[number, "2022-06"]))
    if explanation.status_code == 200:
        kinds.add(K.EXPLANATIONS)
    payslip = world["payslip"].pk
    detail = client.get(reverse("channels:document_detail", args=[payslip]))
    content = client.get(reverse("channels:document_file", args=[payslip]))
    assert detail.status_code == content.status_code
    if content.status_code == 200:
        kinds.add(K.DOCUMENTS)
    for response in (page, rights, explanation, detail, content):
        assert response.status_code in (200, 403)
    return kinds


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_exactly_the_kinds_of_data_the_table_gives_it(
    client, make_user, world, role
):
    user = make_user(role)
    if role == Role.CLAIMANT:  # even their own household: the agents' pages are not theirs
        HouseholdAccount.objects.create(user=user, household=world["file"])
    client.force_login(user)
    expected = NEEDS[role].kinds if role in NEEDS else frozenset()
    assert visible_kinds(client, world) == expected


def test_the_front_desk_sees_a_masked_nir_and_no_income_payment_or_document(
    client, make_user, world
):
    client.force_login(make_user(Role.RECEPTION))
    nir = world["nir"]
    page = client.get(reverse("registry:household_detail", args=["8610001"])).content.decode()
    assert nir not in page and f"{nir[0]} {nir[1:3]} {nir[3:5]} •• ••• ••• {nir[13:]}" in page
    assert "Historique de la situation" not in page and not _amount_in(page, "1234.56")
    payslip = world["payslip"].pk
    for url in (
        reverse("entitlements:household_rights", args=["8610001"]),
        reverse("entitlements:explanation", args=["8610001", "2022-06"]),
        reverse("channels:document_detail", args=[payslip]),
        reverse("channels:document_file", args=[payslip]),
        reverse("channels:document_file", args=[world["queued_document"].pk]),  # a RIB
    ):
        assert client.get(url).status_code == 403, url


def test_the_masked_nir_keeps_sex_birth_month_and_key_only():
    assert nir_display("290051234567842", full=False) == "2 90 05 •• ••• ••• 42"
    assert nir_display("290051234567842", full=True) == "2 90 05 12 345 678 42"
    assert nir_display("2A0512", full=False) == "••••••"  # not a NIR: nothing shown


def test_a_nir_search_stays_out_of_urls_error_reports_and_the_audit_trail(client, make_user, world):
    nir = world["nir"]
    client.force_login(make_user(Role.CASE_WORKER))
    url = reverse("registry:household_search")
    linked = client.get(url, {"q": nir})  # a link or a bookmark cannot run a search
    assert "8610001" not in linked.content.decode()
    assert not AuditEvent.objects.filter(action="search").exists()
    typed = f"{nir[0]} {nir[1:3]} {nir[3:5]} {nir[5:7]} {nir[7:10]} {nir[10:13]}"  # 13 digits
    for query in (nir, typed):
        response = client.post(url, {"q": query})
        assert "8610001" in response.content.decode()
        reported = SafeExceptionReporterFilter().get_post_parameters(response.wsgi_request)
        assert nir[:13] not in json.dumps(reported)
    events = list(AuditEvent.objects.filter(action="search").order_by("pk"))
    assert len(events) == 2
    for event in events:
        stored = json.dumps([event.reason, event.detail, event.object_id])
        assert nir[:7] not in stored.replace(" ", "")
        assert list(event.households.values_list("number", flat=True)) == ["8610001"]
    assert events[0].detail["query_digest"] == nir_search_digest(nir)
    assert events[1].detail["query_digest"] == nir_search_digest(nir[:13])


def test_a_name_search_keeps_what_was_typed_for_the_dpo(client, make_user, world):
    client.force_login(make_user(Role.RECEPTION))
    client.post(reverse("registry:household_search"), {"q": "Durand Alex"})
    event = AuditEvent.objects.get(action="search")
    assert event.detail["query"] == "Durand Alex" and "query_digest" not in event.detail
