"""Claims and declarations with their channel."""

from django.core.exceptions import ValidationError
from django.db import transaction

from justedroit.channels.models import Procedure, ProcedureChannel, ProcedureKind
from justedroit.core import clock
from justedroit.core.audit import audit_record
from justedroit.core.models import AuditAction, User
from justedroit.registry.models import Benefit, Household


def procedure_record(
    *,
    household: Household,
    kind: str,
    channel: str,
    acting_user: User | None,
    benefit: str = "",
) -> Procedure:
    if kind not in ProcedureKind.values:
        raise ValidationError(f"Démarche inconnue « {kind} ».")
    if channel not in ProcedureChannel.values:
        raise ValidationError(f"Canal inconnu « {channel} ».")
    if (kind == ProcedureKind.CLAIM) != bool(benefit):
        raise ValidationError("Une demande de prestation, et elle seule, précise la prestation.")
    if benefit and benefit not in Benefit.values:
        raise ValidationError(f"Prestation inconnue « {benefit} ».")
    with transaction.atomic():
        procedure = Procedure.objects.create(
            household=household,
            kind=kind,
            channel=channel,
            benefit=benefit,
            submitted_at=clock.now(),
            recorded_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action=AuditAction.CREATE,
            household_number=household.number,
            obj=procedure,
            reason="démarche enregistrée",
            detail={"kind": kind, "channel": channel},
        )
    return procedure
