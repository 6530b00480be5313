"""The relay partners' network and what a partner does for a household under its mandate:
the first-level view of the file, and referring the household to the Caf (a referral routed to
the agents' worklist and followed to an outcome). Booking for the household is
`services.partner_appointment_book`.

Without a mandate in force, a partner sees nothing and can do nothing: the refusal is the same
as for a household that does not exist (`NOT_FOUND_OR_NO_MANDATE`)."""

import datetime as dt
import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from justedroit.core import clock
from justedroit.core.audit import audit_record
from justedroit.core.models import AuditAction, User
from justedroit.outreach import selectors
from justedroit.outreach.models import Partner, PartnerKind, Referral, ReferralStatus
from justedroit.outreach.services import NOT_FOUND_OR_NO_MANDATE, NotFoundOrNoMandate, _text
from justedroit.registry.models import Commune

REFERENCE = Path(__file__).resolve().parent.parent / "data" / "partners-86.json"
DETAILS = ("address", "opening_hours", "contact_email", "contact_phone")


def partners_seed(*, acting_user: User | None, path: Path = REFERENCE) -> tuple[int, int]:
    """Create or bring up to date the département's partners from the reference table (by name;
    idempotent). Returns (created, updated)."""
    rows = json.loads(path.read_text(encoding="utf-8"))["partners"]
    created = updated = 0
    with transaction.atomic():
        communes = Commune.objects.in_bulk([row["commune"] for row in rows])
        for row in rows:
            if row["kind"] not in PartnerKind.values or row["commune"] not in communes:
                raise ValidationError(f"Partenaire « {row['name']} » : nature ou commune inconnue.")
            values = {key: row.get(key, "") for key in DETAILS} | {
                "kind": row["kind"],
                "commune": communes[row["commune"]],
                "agreement_start": dt.date.fromisoformat(row["agreement_start"]),
                "agreement_end": dt.date.fromisoformat(row["agreement_end"]),
            }
            partner, new = Partner.objects.update_or_create(name=row["name"], defaults=values)
            created += new
            updated += not new
            if new:
                audit_record(actor=acting_user, action=AuditAction.CREATE, obj=partner)
    return created, updated


def partner_household_consult(*, partner: Partner, household_number: str, acting_user: User):
    """The first-level view of a household for a partner under its mandate (audited)."""
    summary = selectors.partner_household_summary(partner=partner, number=household_number)
    if summary is None:
        raise NotFoundOrNoMandate(NOT_FOUND_OR_NO_MANDATE)
    with transaction.atomic():  # the audit row needs its transaction (a 500 without one)
        audit_record(
            actor=acting_user,
            action=AuditAction.VIEW,
            household_number=summary.household.number,
            reason="Situation consultée par un partenaire (premier niveau)",
            detail={"partner": partner.name},
        )
    return summary


def referral_create(
    *, partner: Partner, household_number: str, reason: str, acting_user: User
) -> Referral:
    """The partner refers a household under its mandate to the Caf, saying why."""
    reason = _text(reason, field="Motif", max_length=1000)
    household = selectors.mandated_household(partner=partner, number=household_number)
    if household is None:
        raise NotFoundOrNoMandate(NOT_FOUND_OR_NO_MANDATE)
    with transaction.atomic():
        referral = Referral.objects.create(
            partner=partner,
            household=household,
            reason=reason,
            created_at=clock.now(),
            created_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action=AuditAction.CREATE,
            household_number=household.number,
            obj=referral,
            reason=f"Orientation vers la Caf par {partner.name}",
        )
    return referral


def referral_close(*, referral: Referral, outcome: str, acting_user: User) -> Referral:
    """An agent records what the Caf did for a referred household."""
    outcome = _text(outcome, field="Suite donnée", max_length=1000)
    with transaction.atomic():
        locked = (
            Referral.objects.select_for_update().select_related("household").get(pk=referral.pk)
        )
        if locked.status != ReferralStatus.OPEN:
            raise ValidationError("Cette orientation est déjà traitée.")
        locked.status, locked.outcome = ReferralStatus.DONE, outcome
        locked.handled_at, locked.handled_by = clock.now(), acting_user
        locked.save(update_fields=["status", "outcome", "handled_at", "handled_by"])
        audit_record(
            actor=acting_user,
            action=AuditAction.UPDATE,
            household_number=locked.household.number,
            obj=locked,
            reason="Orientation d'un partenaire traitée",
            detail={"outcome": outcome},
        )
    return locked
