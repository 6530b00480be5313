import re
from dataclasses import dataclass, field

from justedroit.registry.models import Household

HOUSEHOLD_IN_TEXT = re.compile(r"(?<!\d)(\d{7})(?!\d)")


@dataclass
class ImportReport:
    """What a batch did: rows created, rows already there, bad rows with their French message."""

    created: int = 0
    already_there: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.created} ajouté(s), {self.already_there} déjà présent(s), "
            f"{len(self.errors)} refusé(s), {len(self.warnings)} avertissement(s)."
        )


def household_in_text(*texts: str) -> Household | None:
    """The first existing household whose 7-digit number appears in the texts."""
    for text in texts:
        for number in HOUSEHOLD_IN_TEXT.findall(text or ""):
            household = Household.objects.filter(number=number).first()
            if household is not None:
                return household
    return None


def contact_consult(
    *, household: Household | None, obj, acting_user, reason: str, page: str = ""
) -> None:
    """Record that an agent opened a household's message or document (`page`: which view)."""
    from django.db import transaction

    from justedroit.core.audit import audit_record
    from justedroit.core.models import AuditAction

    with transaction.atomic():
        audit_record(
            actor=acting_user,
            action=AuditAction.VIEW,
            household_number=household.number if household else "",
            obj=obj,
            reason=reason,
            detail={"page": page} if page else None,
        )
