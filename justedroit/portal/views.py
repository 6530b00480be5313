from django.shortcuts import render
from django.views.decorators.http import require_GET

from justedroit.core import clock, perms
from justedroit.core.web import requires
from justedroit.entitlements.selectors import household_payments
from justedroit.registry import selectors


@require_GET
@requires(perms.can_use_claimant_space)
def claimant_home(request):
    account = getattr(request.user, "household_account", None)
    household = account.household if account else None
    context = {"household": household}
    if household is not None:
        context |= {
            "memberships": selectors.members(household, on=clock.today()),
            "claims": selectors.claims(household),
            "payments": household_payments(household, months=6),
        }
    return render(request, "portal/claimant_home.html", context)


@require_GET
@requires(perms.can_use_partner_space)
def partner_home(request):
    return render(request, "portal/partner_home.html")
