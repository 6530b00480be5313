"""Issue 9, item 4: walk every agent URL, as every agent role, and check that each household a
page shows is named by an audit row written by that request (no blind spot), and that only a
role whose work needs a household's identity is shown one."""

import pytest
from django.urls import resolve, reverse

from justedroit.core import selectors
from justedroit.core.models import AuditEvent
from justedroit.core.need_to_know import NEEDS, DataKind
from justedroit.core.roles import AGENT_ROLES, Role
from justedroit.cycle.models import AdjustmentLetter
from justedroit.recovery.models import DebtLetter
from tests.test_roles_and_audit import PUBLIC, url_names

pytestmark = pytest.mark.django_db


def letter_pk(model, world) -> int:
    return model.objects.get(household=world["file"]).pk


ARGS = {
    "registry:household_detail": lambda w: [w["file"].number],
    "entitlements:household_rights": lambda w: [w["file"].number],
    "entitlements:explanation": lambda w: [w["file"].number, "2022-06"],
    "reception:site_day": lambda w: ["poitiers"],
    "reception:calls": lambda w: ["poitiers"],
    "recovery:household_debts": lambda w: [w["file"].number],
    "cycle:letters": lambda w: [w["file"].number],
    "cycle:letter": lambda w: [
        w["file"].number,
        AdjustmentLetter.objects.get(household=w["file"]).pk,
    ],
    "recovery:letter": lambda w: [w["file"].number, DebtLetter.objects.get(household=w["file"]).pk],
    "channels:email_thread": lambda w: [w["thread"].pk],
    "channels:document_detail": lambda w: [w["payslip"].pk],
    "channels:document_file": lambda w: [w["payslip"].pk],
    "channels:email_attachment": lambda w: [w["attachment"].pk],
    "channels:quarantine_detail": lambda w: [w["quarantined"].pk],
    "controls:control": lambda w: [w["control"].pk],
    "controls:visit_report": lambda w: [w["control"].pk],
    "fraud:file": lambda w: [w["fraud"].pk],
    "fraud:decision": lambda w: [w["fraud"].pk],
    "fraud:letter": lambda w: [w["fraud"].pk, "avis"],
    "outreach:campaign": lambda w: [w["campaign"].pk],
    "outreach:meeting": lambda w: [w["meeting"].pk],
    "outreach:action": lambda w: [w["action"].pk],
    "appeals:case": lambda w: [w["appeal"][0].pk],
    "appeals:decision_letter": lambda w: [w["appeal"][0].pk],
    "appeals:session": lambda w: [w["appeal"][1].pk],
    "appeals:minutes": lambda w: [w["appeal"][1].pk],
    "appeals:court_case": lambda w: [w["court_case"].pk],
    "reporting:report_version": lambda w: [w["report_version"].year, w["report_version"].number],
    "reporting:dashboard": lambda w: ["accueil-et-canaux"],
}
# Pages whose results come from a form: walked with it sent too.
POSTED = {"registry:household_search": {"q": "Alex"}}
# Pages that show households in this world: the walk must see them there (it cannot pass by
# finding nothing to check).
LISTING = {
    "core:audit_trail",
    "registry:household_search",
    "registry:household_detail",
    "entitlements:household_rights",
    "entitlements:explanation",
    "recovery:worklist",
    "recovery:household_debts",
    "recovery:letter",
    "cycle:letters",
    "cycle:letter",
    "reception:site_day",
    "reception:unmarked",
    "channels:home",
    "channels:email_thread",
    "channels:document_detail",
    "controls:worklist",
    "controls:control",
    "controls:visit_report",
    "controls:targeting_list",
    "fraud:worklist",
    "fraud:file",
    "fraud:director",
    "fraud:decision",
    "fraud:letter",
    "outreach:campaign",
    "outreach:action",  # a result linked to a household (with its consent)
    "outreach:referrals",
    "appeals:case",
    "appeals:decision_letter",
    "appeals:session",
    "appeals:minutes",
    "appeals:courts",
    "appeals:court_case",
}
# The director sees no household's file, except the fraud files submitted to his or her decision
# (the need-to-know table says so: he or she pronounces the sanctions, art. L114-17 CSS).
DIRECTOR_FRAUD_PAGES = {"fraud:director", "fraud:decision", "fraud:letter"}
# Likewise the CRA's members read the files of their sessions, and the legal department its court
# cases, and nothing else (need-to-know table).
CASE_PAGES = {
    Role.DIRECTOR: DIRECTOR_FRAUD_PAGES,
    Role.CRA_MEMBER: {"appeals:case", "appeals:session", "appeals:minutes"},
    Role.LEGAL: {"appeals:courts", "appeals:court_case"},
}
# The audit trail's CSV export records its filters and the last event it covers, which
# reproduce its rows exactly; it does not copy every household number of the trail again.
NOT_WALKED = {"core:audit_export"}
# A verification plan's pages need a plan drawn over processing acts, which this world has not:
# their audit of the households they show is tested in tests/quality/test_pages.py.
NOT_WALKED |= {"quality:plan", "quality:plan_chart", "quality:review", "quality:action_close"}
# The DQI process pages show processes, their indicators and actions, never a household; their
# roles are tested in tests/quality/test_dqi_pages.py.
# Taking or assigning a worklist's task is a POST that shows no page (a GET is refused to all);
# its audit row is tested in tests/channels/test_worklists.py.
NOT_WALKED |= {"channels:task_assign"}
NOT_WALKED |= {
    "quality:process",
    "quality:process_action_close",
    "quality:process_review",
    "quality:process_chart",
}


def agent_url_names() -> list[str]:
    return sorted(
        name
        for name in set(url_names())
        if name not in PUBLIC | NOT_WALKED and not name.startswith(("portal:", "api:"))
    )


def named_since(pk: int, numbers) -> set[str]:
    return {
        n for n in numbers if selectors.audit_events(household_number=n).filter(pk__gt=pk).exists()
    }


def content_of(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def test_every_household_an_agent_page_shows_is_in_the_audit_trail(client, make_user, world):
    seen_on: dict[str, set[str]] = {}
    for name in agent_url_names():
        url = reverse(name, args=ARGS[name](world) if name in ARGS else [])
        gate = resolve(url).func.permission  # refusals are the permission matrices' subject
        for role in sorted(AGENT_ROLES):
            if not gate(make_user(role)):
                continue
            client.force_login(make_user(role))
            requests = [lambda url=url: client.get(url)]
            if name in POSTED:
                requests.append(lambda url=url, name=name: client.post(url, POSTED[name]))
            for send in requests:
                before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
                response = send()
                if response.status_code != 200:
                    assert response.status_code == 405, (name, role)  # GET-only pages
                    continue
                shown = {n for n in world["numbers"] if n in content_of(response)}
                # Only the numbers shown need looking up in the trail: one query each.
                assert named_since(before, shown) == shown, (name, role, shown)
                case_page = name in CASE_PAGES.get(role, ())
                if shown and name != "core:audit_trail" and not case_page:
                    # The trail shows numbers, no file.
                    assert DataKind.IDENTITY in NEEDS[role].kinds, (name, role)
                seen_on.setdefault(name, set()).update(shown)
    assert {name for name, shown in seen_on.items() if shown} == LISTING
