"""The allocataire's page of the fraud procedures addressed to them: the notice of the facts and
of the penalty envisaged, and their observations online (or a request to be heard) within the
month the law gives (art. R114-11 CSS). It composes the fraud services and owns no rule."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from justedroit.core import perms
from justedroit.core.web import requires
from justedroit.fraud import parameters, selectors
from justedroit.fraud import services as fraud_services
from justedroit.fraud.forms import PortalObservationForm
from justedroit.fraud.models import FraudStatus, ObservationChannel


@require_http_methods(["GET", "POST"])
@requires(perms.can_use_claimant_space)
def fraud_notices(request):
    account = getattr(request.user, "household_account", None)
    household = account.household if account else None
    if household is None:
        return render(request, "portal/fraud_notices.html", {"household": None})
    notices = list(selectors.household_notices(household))
    form = PortalObservationForm(request.POST or None, prefix="observations")
    if request.method == "POST" and form.is_valid():
        file = next((f for f in notices if f.pk == form.cleaned_data["file"]), None)
        try:
            if file is None or file.status != FraudStatus.NOTIFIED:
                raise ValidationError("Ce dossier n'attend pas vos observations.")
            fraud_services.observations_record(
                file=file,
                text=form.cleaned_data["text"],
                hearing=form.cleaned_data["hearing"],
                channel=ObservationChannel.PORTAL,
                acting_user=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Vos observations sont transmises au service fraude.")
            return redirect("portal:fraud_notices")
    return render(
        request,
        "portal/fraud_notices.html",
        {
            "household": household,
            "notices": notices,
            "form": form,
            "rights": parameters.NOTICE_RIGHTS,
            "notified": FraudStatus.NOTIFIED,
        },
        status=400 if request.method == "POST" else 200,
    )
