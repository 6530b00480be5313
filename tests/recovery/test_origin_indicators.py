"""The indicators of the debts notified in the year, one per origin, read the ledger's split."""

import datetime as dt

import pytest

from justedroit.core import clock
from justedroit.core.indicators import registered, report_cache
from justedroit.recovery import selectors, services
from justedroit.recovery.models import DebtOrigin, EntryKind
from justedroit.reporting.document import SECTIONS, indicator_domains
from tests.factories import HouseholdFactory
from tests.recovery.helpers import indu

pytestmark = pytest.mark.django_db
MAY = dt.date(2022, 5, 1)


def _by_origin() -> dict:
    return {i.code: i for i in registered() if i.code.startswith("recovery_notified_")}


def test_one_indicator_per_origin_each_equal_to_the_ledgers_split(db):
    """Each origin's indicator is `notified_by_origin`'s amount (zero when none), they add up to
    the debts notified in the year, and the annual report shows them with recovery's."""
    with clock.frozen(dt.datetime(2022, 6, 10, 9)):
        for origin, amount in (
            (DebtOrigin.CONTROL_ON_SITE, "420.00"),
            (DebtOrigin.LATE_DECLARATION, "310.50"),
            (DebtOrigin.RECOMPUTE, "150.00"),
        ):
            adjustment = indu(HouseholdFactory(), "rsa", MAY, amount)
            services.debts_notify(adjustments=[adjustment], acting_user=None, origin=origin)
    split = selectors.notified_by_origin(2022)
    assert len(split) == 3
    indicators = _by_origin()
    assert set(indicators) == {f"recovery_notified_{origin}" for origin in DebtOrigin.values}
    with report_cache():
        values = {
            code.removeprefix("recovery_notified_"): i.compute(2022)
            for code, i in indicators.items()
        }
    assert {origin: value for origin, value in values.items() if value} == split
    assert sum(values.values()) == selectors.amounts_for_year(2022, [EntryKind.NOTIFIED])
    domains = indicator_domains()
    for code in indicators:
        (title,) = {
            part.title
            for section in SECTIONS
            for part in section.parts
            if part.claims(domains[code], code)
        }
        assert title == "Le recouvrement des créances"
