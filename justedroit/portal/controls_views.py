"""The allocataire's page of the controls addressed to them: documents asked with their deadline,
answered by upload (the channels' upload, then linked to the request), and their observations on
the findings (contradictory procedure). It composes the domains' services and owns no rule."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from justedroit.channels import storage
from justedroit.channels.services import documents as document_services
from justedroit.controls import selectors
from justedroit.controls import services as control_services
from justedroit.controls.forms import PortalResponseForm, PortalUploadForm
from justedroit.controls.models import ResponseChannel
from justedroit.core import perms
from justedroit.core.web import requires, submit_form


@require_http_methods(["GET", "POST"])
@requires(perms.can_use_claimant_space)
def control_requests(request):
    account = getattr(request.user, "household_account", None)
    household = account.household if account else None
    upload = PortalUploadForm(prefix="piece")
    response = PortalResponseForm(prefix="observations")
    if household is None:
        return render(request, "portal/controls_requests.html", {"household": None})
    requests = list(selectors.household_requests(household))
    waiting = list(selectors.awaiting_response(household))
    if request.method == "POST" and request.POST.get("action") == "piece":
        upload = PortalUploadForm(request.POST, request.FILES, prefix="piece")
        if upload.is_valid() and _upload(request, household, requests, upload):
            messages.success(request, "Votre pièce est transmise au contrôleur.")
            return redirect("portal:controls_requests")
    elif request.method == "POST" and request.POST.get("action") == "observations":
        response = PortalResponseForm(request.POST, prefix="observations")

        def record(data):
            control = next((c for c in waiting if c.pk == data["control"]), None)
            if control is None:
                raise ValidationError("Ce contrôle n'attend pas vos observations.")
            control_services.control_response_record(
                control=control,
                text=data["text"],
                channel=ResponseChannel.PORTAL,
                acting_user=request.user,
            )

        if done := submit_form(
            request,
            response,
            record,
            said=lambda _: "Vos observations sont transmises au contrôleur.",
            then=lambda _: redirect("portal:controls_requests"),
        ):
            return done
    return render(
        request,
        "portal/controls_requests.html",
        {
            "household": household,
            "requests": requests,
            "waiting": waiting,
            "upload": upload,
            "response": response,
            "max_mb": storage.max_bytes() // (1024 * 1024),
        },
        status=400 if request.method == "POST" else 200,
    )


def _upload(request, household, requests, form) -> bool:
    asked = next((r for r in requests if r.pk == form.cleaned_data["request"]), None)
    if asked is None or not asked.control.is_open:
        form.add_error(None, "Cette demande n'attend plus de pièce.")
        return False
    upload = form.cleaned_data["file"]
    try:
        with transaction.atomic():
            document = document_services.document_upload(
                household=household,
                kind=form.cleaned_data["kind"],
                filename=upload.name,
                content=storage.read_bounded(upload),
                acting_user=request.user,
            )
            control_services.document_receive(
                request=asked, document=document, acting_user=request.user
            )
    except ValidationError as error:
        form.add_error("file", error)
        return False
    return True
