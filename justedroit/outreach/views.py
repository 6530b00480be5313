"""Agent pages of the access-to-rights domain (thin: forms, then services)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from justedroit.core import clock
from justedroit.core.web import requires
from justedroit.outreach import perms, selectors, services
from justedroit.outreach.forms import MandateRecordForm
from justedroit.registry.selectors import household_by_number


@require_http_methods(["GET", "POST"])
@requires(perms.can_record_mandate)
def mandate_record(request):
    form = MandateRecordForm(request.POST or None, partners=selectors.partners())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        household = household_by_number(data["household_number"])
        if household is None:
            form.add_error("household_number", "Foyer inconnu : vérifiez le numéro.")
        else:
            try:
                mandate = services.mandate_record(
                    household=household,
                    partner=data["partner"],
                    evidence=data["evidence"],
                    valid_until=data["valid_until"],
                    acting_user=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    f"Mandat du foyer {household.number} à {mandate.partner.name} enregistré, "
                    f"valable jusqu'au {data['valid_until']:%d/%m/%Y}.",
                )
                return redirect("outreach:mandate_record")
    return render(
        request,
        "outreach/mandate_record.html",
        {"form": form, "today": clock.today()},
        status=400 if request.method == "POST" else 200,
    )
