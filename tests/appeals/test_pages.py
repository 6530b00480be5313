"""The appeals URLs × roles matrix (members read only their sessions' files), the audit of every
file read, the secretariat's forms, the minutes and the decision letter as HTML and PDF, and the
allocataire's page without JavaScript."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings

from justedroit.appeals import services
from justedroit.appeals.models import AppealCase, CaseStatus, Member, Outcome
from justedroit.core.models import AuditEvent
from justedroit.core.roles import Role
from justedroit.recovery import selectors as ledger
from justedroit.registry.models import HouseholdAccount
from tests.appeals.conftest import TODAY, debt_of, in_session, remission, resources
from tests.channels.conftest import fuzz_examples
from tests.hostile_posts import field, post_hostile

pytestmark = pytest.mark.django_db
R = Role
SECRETARIAT = {R.CRA_SECRETARY, R.MANAGER}
ALLOWED = {
    "appeals:case": SECRETARIAT | {R.CRA_MEMBER},
    "appeals:decision_letter": SECRETARIAT,
    "appeals:session": SECRETARIAT | {R.CRA_MEMBER},
    "appeals:minutes": SECRETARIAT | {R.CRA_MEMBER},
    "appeals:court_case": {R.LEGAL, R.MANAGER},
}


@pytest.fixture
def decided(household, secretary, members, make_user):
    """A full remission decided in session; the member's account sits on that session."""
    members[0].user = make_user(Role.CRA_MEMBER)
    members[0].save()
    resources(household, fiscal="3000", rent="300")
    debt = debt_of(household)
    case = remission(household, debt, secretary)
    services.case_instruct(case=case, acting_user=secretary)
    session = in_session(case, members, secretary)
    services.case_decide(
        case=case,
        session=session,
        outcome=Outcome.FULL,
        reasons="Ressources très faibles.",
        votes=dict.fromkeys(members[:3], "for"),
        acting_user=secretary,
    )
    court_case = services.court_case_file(
        household=household,
        nature="contest",
        appeal_case=case,
        filed_on=TODAY,
        acting_user=secretary,
    )
    return case, session, court_case


def args(name, decided):
    case, session, court_case = decided
    return (
        [{"appeals:session": session, "appeals:minutes": session}.get(name, case).pk]
        if (name != "appeals:court_case")
        else [court_case.pk]
    )


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_every_appeals_url_for_every_role(client, make_user, household, decided, role, name):
    user = make_user(role)
    if role == Role.CLAIMANT:
        HouseholdAccount.objects.create(user=user, household=household)
    client.force_login(user)
    response = client.get(reverse(name, args=args(name, decided)))
    expected = 200 if role in ALLOWED[name] else 403
    assert response.status_code == expected, (role, name)


def test_a_member_reads_only_the_files_of_their_sessions(client, decided, members, make_user):
    other = Member.objects.create(
        name="Membre absent", college="other", user=make_user(Role.CRA_MEMBER, username="m2")
    )
    client.force_login(other.user)
    case, session, _ = decided
    assert client.get(reverse("appeals:case", args=[case.pk])).status_code == 404
    assert client.get(reverse("appeals:session", args=[session.pk])).status_code == 404
    client.force_login(members[0].user)
    assert client.get(reverse("appeals:case", args=[case.pk])).status_code == 200
    # Read only: a member cannot post.
    response = client.post(reverse("appeals:case", args=[case.pk]), {"instruct": "1"})
    assert response.status_code == 403


def test_every_file_read_is_audited(client, decided, secretary, household):
    case, session, _ = decided
    client.force_login(secretary)
    before = AuditEvent.objects.filter(action="view").count()
    client.get(reverse("appeals:case", args=[case.pk]))
    client.get(reverse("appeals:minutes", args=[session.pk]))
    events = AuditEvent.objects.filter(action="view").order_by("pk")[before:]
    assert [
        e.household_number or list(e.households.values_list("number", flat=True)) for e in events
    ] == [household.number, [household.number]]


def test_the_minutes_and_the_letter_render_in_html_and_pdf(client, decided, secretary):
    case, session, _ = decided
    client.force_login(secretary)
    html = client.get(reverse("appeals:minutes", args=[session.pk])).content.decode()
    for text in (
        "procès-verbal",
        "quorum de 3 atteint",
        "Remise totale",
        "600,00 €",
        "Membre 0 : pour",
    ):
        assert text in html
    pdf = client.get(reverse("appeals:minutes", args=[session.pk]), {"format": "pdf"})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    letter = client.get(reverse("appeals:decision_letter", args=[case.pk])).content.decode()
    assert "tribunal judiciaire (pôle social)" in letter and "R142-1-A" in letter
    assert "au plus tard le 28/02/2023" in letter
    assert client.get(
        reverse("appeals:decision_letter", args=[case.pk]), {"format": "pdf"}
    ).content.startswith(b"%PDF")


def test_the_secretariat_receives_a_claim_through_the_form(client, secretary, household):
    debt = debt_of(household)
    client.force_login(secretary)
    data = {
        "number": household.number,
        "kind": "remission",
        "channel": "paper",
        "benefit": "af",
        "debt": debt.pk,
        "contested_decision": "Notification d'indu",
        "notified_on": "2022-12-31",
        "received_on": "2022-12-31",
    }
    response = client.post(reverse("appeals:worklist"), data)
    case = AppealCase.objects.get()
    assert response.status_code == 302 and case.channel == "paper"
    bad = client.post(reverse("appeals:worklist"), data | {"received_on": "2023-01-05"})
    assert bad.status_code == 400 and "futur" in bad.content.decode()
    assert AppealCase.objects.count() == 1


def test_the_intake_form_never_fails_on_hostile_input(client, secretary, household):
    """Whatever the secretariat posts: a claim received and a redirect, or a 400 with its French
    errors that wrote nothing."""
    debt = debt_of(household)
    client.force_login(secretary)
    url = reverse("appeals:worklist")

    @settings(max_examples=fuzz_examples(30), suppress_health_check=list(HealthCheck))
    @given(
        number=field(household.number, "1234567", "123456"),
        kind=field("remission", "contest_right", "contest_indu"),
        channel=field("paper", "email", "portal"),
        benefit=field("af", "rsa", "ppa"),
        debt=field(str(debt.pk), str(debt.pk + 1000), ""),
        contested_decision=field("Notification d'indu", "x" * 301),
        notified_on=field("2022-12-31", "2022-01-01", "2023-01-05", "1900-01-01"),
        received_on=field("2022-12-31", "2023-01-05", "2021-01-01"),
        grounds=field("", "Je conteste."),
    )
    def post(**data):
        post_hostile(client, url, data)

    post()


def test_the_allocataire_asks_for_a_remission_and_sees_the_clock(client, make_user, household):
    debt = debt_of(household)
    user = make_user(Role.CLAIMANT)
    HouseholdAccount.objects.create(user=user, household=household)
    client.force_login(user)
    response = client.post(
        reverse("portal:appeals"),
        {
            "kind": "remission",
            "debt": debt.pk,
            "benefit": "af",
            "contested_decision": "Trop-perçu d'allocations familiales",
            "notified_on": "2022-12-31",
            "grounds": "Je suis au chômage.",
        },
    )
    assert response.status_code == 302
    case = AppealCase.objects.get()
    assert (case.channel, case.status, case.debt) == ("portal", CaseStatus.RECEIVED, debt)
    page = client.get(reverse("portal:appeals")).content.decode()
    assert "28/02/2023" in page and "<script" not in page
    assert ledger.balance(debt) == D("600.00")


def test_the_allocataire_is_told_of_an_implicit_rejection_and_the_court(
    client, make_user, household, secretary
):
    debt = debt_of(household, benefit="rsa")
    remission(household, debt, secretary, received_on=dt.date(2022, 10, 1))
    user = make_user(Role.CLAIMANT)
    HouseholdAccount.objects.create(user=user, household=household)
    client.force_login(user)
    page = client.get(reverse("portal:appeals")).content.decode()
    assert "rejetée implicitement" in page and "R142-6" in page
    assert "tribunal administratif" in page
