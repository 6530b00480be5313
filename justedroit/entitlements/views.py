from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from justedroit.core import clock
from justedroit.core.web import consultation_reason, month_in_range, requires, submit_form
from justedroit.entitlements import explain, perms, selectors, services
from justedroit.entitlements.forms import RecomputeForm
from justedroit.registry import selectors as registry
from justedroit.registry import services as registry_services


def _household(number):
    household = registry.household_by_number(number)
    if household is None:
        raise Http404
    return household


@require_http_methods(["GET", "POST"])
@requires(perms.can_view_entitlements, post=perms.can_recompute_household)
def household_rights(request, number):
    household = _household(number)
    form = (
        RecomputeForm(request.POST or None) if perms.can_recompute_household(request.user) else None
    )
    if form is not None and (  # a role that recomputes
        done := submit_form(
            request,
            form,
            lambda data: services.household_recompute(
                household=household,
                first_month=data["first_month"],
                last_month=data["last_month"],
                reason=data["reason"],
                acting_user=request.user,
            ),
            said=lambda created: explain.recompute_sentence(
                created, form.cleaned_data["first_month"], form.cleaned_data["last_month"]
            ),
            then=lambda _: redirect("entitlements:household_rights", number=number),
        )
    ):
        return done
    registry_services.household_consult(
        household=household,
        acting_user=request.user,
        reason=consultation_reason(request, number),
        page="Droits et paiements",
    )
    return render(
        request,
        "entitlements/household_rights.html",
        {
            "household": household,
            "months": selectors.household_months(household),
            "adjustments": selectors.household_adjustments(household),
            "form": form,
            "can_view_explanation": perms.can_view_explanation(request.user),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_GET
@requires(perms.can_view_explanation)
def explanation(request, number, month):
    household = _household(number)
    try:
        month_date = month_in_range(month)
    except ValueError as error:
        return render(
            request,
            "entitlements/explanation.html",
            {"household": household, "errors": [str(error)]},
            status=400,
        )
    registry_services.household_consult(
        household=household,
        acting_user=request.user,
        reason=consultation_reason(request, number),
        page=f"Explication des droits de {month_date:%m/%Y}",
    )
    try:
        detail = explain.household_explanation(
            household=household, month=month_date, as_of=clock.now()
        )
    except ValidationError as error:
        # Incomplete facts: the page names the missing one (not a bad request).
        return render(
            request,
            "entitlements/explanation.html",
            {"household": household, "errors": error.messages},
        )
    return render(
        request,
        "entitlements/explanation.html",
        {"household": household, "detail": explain.as_json(detail)},
    )
