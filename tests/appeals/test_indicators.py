"""The CRA's decisions of the year by outcome, its implicit rejections (R142-6 CSS) and the amount
remitted, month by month: what the services recorded, and the year is the sum of its months."""

import datetime as dt
from decimal import Decimal as D

import pytest

from justedroit.appeals import services
from justedroit.appeals.models import Outcome
from justedroit.core import clock
from justedroit.recovery import services as recovery
from justedroit.recovery.models import Debt
from tests.factories import HouseholdFactory
from tests.indicator_series import assert_counts, year_and_months
from tests.recovery.helpers import indu

pytestmark = pytest.mark.django_db


def _debt():
    household = HouseholdFactory()
    with clock.frozen(dt.datetime(2021, 3, 1, 9)):
        adjustment = indu(household, "af", dt.date(2021, 1, 1), "600.00")
        recovery.debts_notify(adjustments=[adjustment], acting_user=None)
    return Debt.objects.get(indus__adjustment=adjustment)


def _case(secretary, received_on: dt.date, kind: str = "remission"):
    debt = _debt()
    with clock.frozen(dt.datetime.combine(received_on, dt.time(9))):
        return services.case_receive(
            household=debt.household,
            kind=kind,
            channel="paper",
            benefit=debt.benefit,
            debt=debt,
            contested_decision="Notification d'indu",
            notified_on=received_on - dt.timedelta(days=10),
            received_on=received_on,
            acting_user=secretary,
        )


def _decide(case, secretary, outcome: str, on: dt.date, amount: D | None = None) -> None:
    with clock.frozen(dt.datetime.combine(on, dt.time(15))):
        services.case_decide(
            case=case,
            outcome=outcome,
            amount=amount,
            reasons="Motifs.",
            delegated=False,
            decided_on=on,
            acting_user=secretary,
        )


@pytest.fixture
def cra_year(secretary):
    """Claims over 2021–2022, decided by the board or left without an answer."""
    day = dt.date
    _decide(_case(secretary, day(2021, 6, 1)), secretary, Outcome.FULL, day(2021, 7, 1))
    _decide(_case(secretary, day(2022, 1, 10)), secretary, Outcome.FULL, day(2022, 2, 15))
    _decide(
        _case(secretary, day(2022, 3, 1)), secretary, Outcome.PARTIAL, day(2022, 4, 20), D("200")
    )
    _decide(_case(secretary, day(2022, 3, 1)), secretary, Outcome.REJECT, day(2022, 4, 28))
    # Decided on the day its silence would have become a rejection: not implicitly rejected.
    _decide(_case(secretary, day(2022, 2, 1)), secretary, Outcome.REJECT, day(2022, 4, 1))
    contested = _case(secretary, day(2022, 5, 2), kind="contest_indu")
    _decide(contested, secretary, Outcome.CONFIRM, day(2022, 6, 10))
    # Silent 2 months: implicitly rejected on 20 January 2022, a claim of 2021.
    _case(secretary, day(2021, 11, 20))
    # Implicitly rejected on 1 November, then remitted on 1 December: both happened.
    late = _case(secretary, day(2022, 9, 1))
    _decide(late, secretary, Outcome.FULL, day(2022, 12, 1))
    # Waiting for the documents asked: the clock is stopped.
    waiting = _case(secretary, day(2022, 10, 15))
    services.documents_request(case=waiting, on=day(2022, 11, 2), acting_user=secretary)
    # Its 2 months end in 2023.
    _case(secretary, day(2022, 12, 10))


def test_the_cra_decisions_by_outcome_are_those_recorded_month_by_month(cra_year):
    assert_counts("appeals_decisions_full", 2022, {2: 1, 12: 1})
    assert_counts("appeals_decisions_full", 2021, {7: 1})
    assert_counts("appeals_decisions_partial", 2022, {4: 1})
    assert_counts("appeals_decisions_reject", 2022, {4: 2})
    assert_counts("appeals_decisions_confirm", 2022, {6: 1})
    assert_counts("appeals_decisions_reverse", 2022, {})
    assert_counts("appeals_decisions_implicit", 2022, {1: 1, 11: 1})
    assert_counts("appeals_decisions_implicit", 2023, {2: 1})
    remitted, months = year_and_months("appeals_remitted", 2022)
    assert {m: v for m, v in months.items() if v} == {2: D("600.00"), 4: D("200.00"), 12: D("600")}
    assert remitted == sum(months.values()) == D("1400.00")


def test_the_report_shows_the_cra_decisions_by_outcome_with_their_text_alternative(cra_year):
    from justedroit.reporting import document, renderers, selectors

    shown = document.document(selectors.indicator_report(2022, recompute=True))
    part = next(
        p for s in shown.sections for p in s.parts if p.title == "La commission de recours amiable"
    )
    assert {row.code for row in part.rows} >= set(document.CRA_DECISIONS)
    drawn = {chart.title: chart for chart in renderers._part_charts(part)}
    by_outcome = drawn["Décisions de la CRA par issue"]
    assert "Décisions de la CRA : remise totale (2021 : 1 ; 2022 : 2)" in by_outcome.description
    assert "Rejets implicites de la CRA (R142-6 CSS) (2021 : 0 ; 2022 : 2)" in (
        by_outcome.description
    )
    monthly = drawn["Décisions de la CRA par issue, mois par mois, 2022"]
    assert "Décisions de la CRA : remise partielle" in monthly.description
    page = renderers.html(shown)
    assert f'alt="Graphique : {by_outcome.description}' in page.replace("&#x27;", "'")
