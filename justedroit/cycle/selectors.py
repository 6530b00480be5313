"""Reads of the cycle's letters (rappels and indus) for the agents' pages, and of its journal."""

import datetime as dt

from django.db.models import Max

from justedroit.cycle.models import AdjustmentLetter, CycleStep
from justedroit.registry.models import Household


def letters_of(household: Household):
    return AdjustmentLetter.objects.filter(household=household).order_by("-month")


def letter_of(household: Household, letter_id: int) -> AdjustmentLetter | None:
    return AdjustmentLetter.objects.filter(household=household, pk=letter_id).first()


def last_step_instant(month: dt.date) -> dt.datetime | None:
    """The latest instant the month's journal records (a step started or finished), if any."""
    found = CycleStep.objects.filter(month=month).aggregate(
        started=Max("started_at"), finished=Max("finished_at")
    )
    return max((at for at in found.values() if at is not None), default=None)
