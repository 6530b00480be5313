"""The courts: routing by subject, each rule citing its article (R142-1-A CSS, L825-1 CCH,
L262-47 CASF, L142-4 CSS, R133-3 CSS), the mandatory prior appeal, judgments and their effects on
the ledger, appeals within their time."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from justedroit.appeals import parameters as law
from justedroit.appeals import selectors, services
from justedroit.appeals.models import Court, Outcome
from justedroit.recovery import selectors as ledger
from justedroit.recovery.models import EntryKind
from tests.appeals.conftest import TODAY, debt_of, remission

pytestmark = pytest.mark.django_db
FILED = dt.date(2022, 12, 1)


def decided_case(household, debt, secretary, kind="contest_indu"):
    case = services.case_receive(
        household=household,
        kind=kind,
        channel="paper",
        benefit=debt.benefit,
        debt=debt,
        contested_decision="Indu",
        notified_on=TODAY,
        received_on=TODAY,
        acting_user=secretary,
    )
    services.case_instruct(case=case, acting_user=secretary, proposal=Outcome.CONFIRM)
    services.case_decide(
        case=case,
        outcome=Outcome.CONFIRM,
        reasons="Indu fondé.",
        delegated=False,
        acting_user=secretary,
    )
    case.refresh_from_db()
    return case


def test_r142_1_a_family_benefits_and_aah_go_to_the_social_pole_of_the_tribunal_judiciaire():
    """R142-1-A CSS: family benefits and AAH, pôle social du tribunal judiciaire, 2 months."""
    for benefit in ("af", "cf", "asf", "ars", "paje_base", "aah"):
        route = law.route(law.subject_of(benefit, "contest"), TODAY)
        assert (route.court, route.months, route.prior_appeal) == (Court.TJ_SOCIAL, 2, True)
        assert "R142-1-A" in route.article


def test_l825_1_cch_housing_aid_goes_to_the_tribunal_administratif_since_2020():
    """L825-1 CCH: housing aid disputes at the tribunal administratif from 2020, after the
    mandatory prior appeal."""
    route = law.route("aide_logement", TODAY)
    assert (route.court, route.prior_appeal) == (Court.TA, True)
    assert "L825-1 CCH" in route.article
    with pytest.raises(ValueError):
        law.route("aide_logement", dt.date(2019, 6, 1))


def test_l262_47_casf_rsa_and_ppa_go_to_the_tribunal_administratif():
    """L262-47 CASF: RSA (and the prime d'activité by reference) at the tribunal administratif
    after a prior administrative appeal."""
    for benefit in ("rsa", "ppa"):
        route = law.route(law.subject_of(benefit, "contest"), TODAY)
        assert (route.court, route.prior_appeal) == (Court.TA, True)
        assert "L262-47 CASF" in route.article


def test_l142_4_penalties_go_directly_to_the_tribunal_judiciaire(household, secretary):
    """L114-17 / L142-4 CSS: a penalty is challenged at the tribunal judiciaire, no CRA."""
    court_case = services.court_case_file(
        household=household, nature="penalty", filed_on=FILED, acting_user=secretary
    )
    assert (court_case.court, court_case.subject) == (Court.TJ_SOCIAL, "penalty")
    assert "L142-4" in court_case.article


def test_r133_3_oppositions_to_contraintes_by_benefit(household, secretary):
    """R133-3 CSS: opposition within 15 days at the pôle social; RSA and housing aid at the
    tribunal administratif."""
    assert law.route(law.subject_of("af", "opposition"), TODAY).days == 15
    assert law.route(law.subject_of("af", "opposition"), TODAY).court == Court.TJ_SOCIAL
    assert law.route(law.subject_of("rsa", "opposition"), TODAY).court == Court.TA
    assert law.route(law.subject_of("aide_logement", "opposition"), TODAY).court == Court.TA
    debt = debt_of(household)
    court_case = services.court_case_file(
        household=household,
        nature="opposition",
        benefit="af",
        debt=debt,
        filed_on=TODAY,
        acting_user=secretary,
    )
    assert "R133-3" in court_case.article
    assert ledger.suspended([debt.pk]) == {debt.pk}


def test_the_prior_appeal_to_the_cra_is_mandatory(household, secretary):
    """R142-1 CSS (and L825-1 CCH, L262-47 CASF): no court before the prior appeal is decided
    or implicitly rejected."""
    debt = debt_of(household)
    with pytest.raises(ValidationError, match="Recours préalable obligatoire"):
        services.court_case_file(
            household=household,
            nature="contest",
            benefit="af",
            filed_on=TODAY,
            acting_user=secretary,
        )
    pending = remission(household, debt, secretary, received_on=dt.date(2022, 12, 1))
    with pytest.raises(ValidationError, match="Recours préalable obligatoire"):
        services.court_case_file(
            household=household,
            nature="contest",
            appeal_case=pending,
            filed_on=TODAY,
            acting_user=secretary,
        )
    old = remission(household, debt, secretary, received_on=dt.date(2022, 10, 1))
    court_case = services.court_case_file(
        household=household,
        nature="contest",
        appeal_case=old,
        filed_on=TODAY,
        acting_user=secretary,
    )  # implicitly rejected on 01/12/2022 (R142-6)
    assert court_case.court == Court.TJ_SOCIAL


def test_an_unfavourable_judgment_cancels_the_debt_and_may_be_appealed(household, secretary):
    debt = debt_of(household, benefit="rsa", amount="900.00")
    case = decided_case(household, debt, secretary)
    court_case = services.court_case_file(
        household=household,
        nature="contest",
        appeal_case=case,
        filed_on=FILED,
        acting_user=secretary,
    )
    assert court_case.court == Court.TA
    services.hearing_record(
        court_case=court_case,
        on=dt.date(2023, 2, 1),
        pleadings_due=dt.date(2023, 1, 15),
        acting_user=secretary,
    )
    lists = selectors.court_worklist(TODAY)
    assert [line.court_case for line in lists["pleadings"]] == [court_case]
    assert lists["hearings"][0].next_hearing == dt.date(2023, 2, 1)
    with pytest.raises(ValidationError, match="au plus"):
        services.judgment_record(
            court_case=court_case,
            judgment="partial",
            judged_on=TODAY,
            amount_cancelled=D("1000.00"),
            acting_user=secretary,
        )
    services.judgment_record(
        court_case=court_case, judgment="unfavourable", judged_on=TODAY, acting_user=secretary
    )
    assert ledger.balance(debt) == 0
    assert debt.entries.get(kind=EntryKind.CANCELLED).amount == D("900.00")
    court_case.refresh_from_db()
    assert selectors.appeal_deadline(court_case) == dt.date(2023, 2, 28)  # R811-2 CJA, 2 months
    with pytest.raises(ValidationError, match="Appel tardif"):
        services.appeal_file(
            court_case=court_case,
            filed_on=dt.date(2023, 3, 1),
            by_caf=True,
            acting_user=secretary,
        )
    upper = services.appeal_file(
        court_case=court_case, filed_on=TODAY, by_caf=True, acting_user=secretary
    )
    assert upper.court == Court.CAA and upper.appeal_of == court_case


def test_a_favourable_judgment_resumes_recovery(household, secretary):
    debt = debt_of(household)
    case = decided_case(household, debt, secretary)
    court_case = services.court_case_file(
        household=household,
        nature="contest",
        appeal_case=case,
        filed_on=TODAY,
        acting_user=secretary,
    )
    assert ledger.suspended([debt.pk]) == {debt.pk}
    services.judgment_record(
        court_case=court_case, judgment="favourable", judged_on=TODAY, acting_user=secretary
    )
    assert ledger.suspended([debt.pk]) == set() and ledger.balance(debt) == D("600.00")
