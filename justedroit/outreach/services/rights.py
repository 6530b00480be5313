"""« Mes droits »: the allocataire claims, in one step, a benefit the engine found they may be
entitled to and do not claim. The claim is recorded pending (« en instruction ») for the month,
pre-filled with what the Caf knows: the allocataire confirms it rather than typing it again."""

from django.core.exceptions import ValidationError
from django.db import transaction

from justedroit.core import clock
from justedroit.core.audit import audit_record
from justedroit.core.models import AuditAction, User
from justedroit.outreach import selectors
from justedroit.registry.models import Claim, ClaimStatus, Household


def portal_claim(*, household: Household, benefit: str, acting_user: User) -> Claim:
    """The allocataire of `household` claims `benefit`, which « Mes droits » offers them."""
    account = getattr(acting_user, "household_account", None)
    if account is None or account.household_id != household.pk:
        raise ValidationError("Seul l'allocataire du foyer fait une demande depuis Mon dossier.")
    with transaction.atomic():
        Household.objects.select_for_update().get(pk=household.pk)
        offered = {right.benefit for right in selectors.household_rights(household).claimable}
        if benefit not in offered:
            raise ValidationError(
                "Cette prestation ne vous est pas proposée, ou une demande est déjà en cours : "
                "contactez la Caf si vous pensez y avoir droit."
            )
        claim = Claim.objects.create(
            household=household,
            benefit=benefit,
            start_month=clock.today().replace(day=1),
            status=ClaimStatus.PENDING,
            recorded_at=clock.now(),
        )
        audit_record(
            actor=acting_user,
            action=AuditAction.CREATE,
            household_number=household.number,
            obj=claim,
            reason="Demande faite depuis « Mes droits »",
            detail={"benefit": benefit},
        )
    return claim
