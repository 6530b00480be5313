"""The allocataire's page of the fraud procedures addressed to them: the notice of the facts and
of the penalty envisaged, and their observations online (or a request to be heard) within the
month the law gives (art. R114-11 CSS). It composes the fraud services and owns no rule."""

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from justedroit.core import perms
from justedroit.core.web import requires, submit_form
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

    def record(data):
        file = next((f for f in notices if f.pk == data["file"]), None)
        if file is None or file.status != FraudStatus.NOTIFIED:
            raise ValidationError("Ce dossier n'attend pas vos observations.")
        fraud_services.observations_record(
            file=file,
            text=data["text"],
            hearing=data["hearing"],
            channel=ObservationChannel.PORTAL,
            acting_user=request.user,
        )

    if done := submit_form(
        request,
        form,
        record,
        said=lambda _: "Vos observations sont transmises au service fraude.",
        then=lambda _: redirect("portal:fraud_notices"),
    ):
        return done
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
