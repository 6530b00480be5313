"""Reads of the cycle's letters (rappels and indus) for the agents' pages."""

from justedroit.cycle.models import AdjustmentLetter
from justedroit.registry.models import Household


def letters_of(household: Household):
    return AdjustmentLetter.objects.filter(household=household).order_by("-month")


def letter_of(household: Household, letter_id: int) -> AdjustmentLetter | None:
    return AdjustmentLetter.objects.filter(household=household, pk=letter_id).first()
