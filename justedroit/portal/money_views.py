"""Allocataire pages for their money (Mon dossier): each month's payments with the total and the
payment date, and each month explained in sentences. No script; they read, never write."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from justedroit.core import perms
from justedroit.core.web import month_in_range, requires
from justedroit.entitlements import explain, selectors


def _household(request):
    account = getattr(request.user, "household_account", None)
    return account.household if account else None


@require_GET
@requires(perms.can_use_claimant_space)
def payments(request):
    household = _household(request)
    months = selectors.household_months(household, months=12) if household else []
    return render(request, "portal/payments.html", {"household": household, "months": months})


@require_GET
@requires(perms.can_use_claimant_space)
def payment_explanation(request, month):
    household = _household(request)
    if household is None:
        raise Http404
    try:
        month_date = month_in_range(month)
    except ValueError as error:
        raise Http404 from error
    paid = selectors.household_month_payment(household, month_date)
    if paid is None:
        raise Http404
    context = {"household": household, "paid": paid}
    try:
        # The facts as the Caf knew them when it paid the month: the amounts paid.
        detail = explain.household_explanation(
            household=household, month=month_date, as_of=paid.as_of
        )
    except ValidationError as error:
        context["errors"] = error.messages
    else:
        context |= {
            "month": month_date,
            "benefits": explain.for_claimant(detail),
            "facts": [explain.fact_sentence(f) for f in detail["facts"]],
        }
    return render(request, "portal/payment_explanation.html", context)
