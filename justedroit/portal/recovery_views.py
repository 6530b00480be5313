"""Allocataire page (Mon dossier): what I owe, my plan, how to pay, how to ask the CRA for a
remission. Reads the recovery domain's selectors; no business rule here."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from justedroit.core.web import requires
from justedroit.recovery import parameters as law
from justedroit.recovery import perms, selectors


@require_GET
@requires(perms.can_view_own_debts)
def recovery_debts(request):
    account = getattr(request.user, "household_account", None)
    household = account.household if account else None
    return render(
        request,
        "portal/recovery_debts.html",
        {
            "household": household,
            "debts": selectors.own_debts(household) if household else None,
            "cra_months": law.CRA_APPEAL_MONTHS,
        },
    )
