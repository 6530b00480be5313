from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from justedroit.core import clock
from justedroit.core.audit import display_record
from justedroit.core.web import requires
from justedroit.data_protection import perms, selectors, services
from justedroit.data_protection.forms import SubjectForm
from justedroit.data_protection.retention import (
    CONTROLLER,
    NO_TRANSFER,
    PROCESSINGS,
    SECURITY_MEASURES,
    TO_CONFIRM,
    rules_of,
)

TEMPLATE = "data_protection/subject_export.html"


@sensitive_post_parameters("nir")
@require_http_methods(["GET", "POST"])
@requires(perms.can_export_subject_data)
def subject_export(request):
    """The DPO's answer to a right of access or portability: the person is found by NIR (sent by
    POST, never in a URL), or by numéro allocataire then chosen among the members; the export is
    audited with the households it covers."""
    if request.method == "GET":
        return render(request, TEMPLATE, {"form": SubjectForm()})
    form = SubjectForm(request.POST)
    if not form.is_valid():
        return render(request, TEMPLATE, {"form": form}, status=400)
    data = form.cleaned_data
    if data["nir"]:
        person = selectors.person_by_nir(data["nir"])
    else:
        household = selectors.household_by_number(data["number"])
        if household is None:
            form.add_error("number", "Aucun foyer n'a ce numéro.")
            return render(request, TEMPLATE, {"form": form}, status=400)
        members = selectors.members_of(household)
        if data["person"] is None:
            display_record(
                actor=request.user,
                page="Export des données d'une personne : membres du foyer",
                households=[household.number],
            )
            context = {"form": form, "household": household, "members": members}
            return render(request, TEMPLATE, context)
        person = next((m.person for m in members if m.person_id == data["person"]), None)
    if person is None:
        form.add_error(None, "Aucune personne ne correspond.")
        return render(request, TEMPLATE, {"form": form}, status=400)
    subject = selectors.subject_data(person)
    services.subject_export_record(data=subject, format=data["format"], acting_user=request.user)
    if data["format"] == "json":
        response = JsonResponse(subject.as_json(), json_dumps_params={"ensure_ascii": False})
        filename = f"donnees-personnelles-{person.pk}-{clock.today():%Y-%m-%d}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return render(request, "data_protection/subject_data.html", {"subject": subject})


@require_GET
@requires(perms.can_view_processing_register)
def processing_register(request):
    """The register of processing activities (art. 30 RGPD), drawn from the retention table."""
    return render(
        request,
        "data_protection/register.html",
        {
            "controller": CONTROLLER,
            "security_measures": SECURITY_MEASURES,
            "no_transfer": NO_TRANSFER,
            "to_confirm": TO_CONFIRM,
            "processings": [(processing, rules_of(processing)) for processing in PROCESSINGS],
        },
    )
