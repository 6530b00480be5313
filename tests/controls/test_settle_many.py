"""Closing many controls at once (`settle_many`, one recomputation for all their households)
records what closing them one by one (`settle`) records: the same outcomes, the same rappels and
indus, the same facts."""

import datetime as dt
from decimal import Decimal

from django.db import transaction

from justedroit.controls.models import Control, ControlKind, ControlOrigin
from justedroit.controls.services import Established, Settlement, control_open
from justedroit.controls.services.common import settle, settle_many
from justedroit.core import clock
from tests.controls.conftest import paid_households

JUNE = dt.date(2022, 6, 1)
DAY = dt.datetime(2022, 6, 27, 9)


def _closed(controls: list[Control]) -> list[tuple]:
    """What each control's closing recorded, ids aside."""
    rows = []
    for control in controls:
        control.refresh_from_db()
        rows.append(
            (
                control.household_id,
                control.outcome,
                control.arrears,
                control.overpayment,
                sorted(
                    control.adjustments.values_list(
                        "benefit", "month", "kind", "amount", "due", "settled_before", "reason"
                    )
                ),
                sorted(control.facts.values_list("kind", "valid_from", "valid_until", "amount")),
            )
        )
    return rows


def test_settling_many_controls_at_once_records_what_settling_each_records(db):
    households = paid_households(3)
    with clock.frozen(DAY, tick=dt.timedelta(microseconds=1)):
        controls = [
            control_open(
                household=household,
                kind=kind,
                origin=ControlOrigin.TARGETING,
                acting_user=None,
                month=JUNE,
            )
            for household, kind in [
                (households[0], ControlKind.DOCUMENTS),
                (households[1], ControlKind.DOCUMENTS),
                (households[2], ControlKind.ON_SITE),
                (households[0], ControlKind.ON_SITE),  # a second control of one household
            ]
        ]
    settlements = [
        Settlement(
            control,
            [
                Established(
                    "salary",
                    dt.date(2022, 2 + index, 1),
                    dt.date(2022, 7, 1),
                    control.household.claimant,
                    Decimal(900 + 300 * index),
                )
            ]
            if index != 2
            else [],  # nothing found: closed without incidence
            note="Clôture.",
        )
        for index, control in enumerate(controls)
    ]
    with transaction.atomic():
        with clock.frozen(DAY + dt.timedelta(hours=1), tick=dt.timedelta(microseconds=1)):
            for s in settlements:
                settle(s.control, s.established, acting_user=None, note=s.note, up_to=JUNE)
        one_by_one = _closed(controls)
        transaction.set_rollback(True)
    fresh = {
        c.pk: c
        for c in Control.objects.select_related("household").filter(pk__in=[c.pk for c in controls])
    }
    with transaction.atomic():
        with clock.frozen(DAY + dt.timedelta(hours=1), tick=dt.timedelta(microseconds=1)):
            settle_many(
                [Settlement(fresh[s.control.pk], s.established, note=s.note) for s in settlements],
                acting_user=None,
                up_to=JUNE,
            )
        at_once = _closed([fresh[c.pk] for c in controls])
    assert at_once == one_by_one
    assert any(row[4] for row in at_once)  # rappels or indus were recorded
    assert at_once[2][4] == [] and at_once[2][5] == []
