"""Allocataire pages (Mon dossier): give or withdraw a mandate to a relay partner; « Mes droits ».
Without JavaScript. It composes the outreach domain's services; no business rule here."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from justedroit.channels import storage
from justedroit.core.web import requires, submit_action, submit_form
from justedroit.outreach import perms, selectors, services
from justedroit.outreach.forms import MandateGrantForm, MandateRevokeForm
from justedroit.outreach.models import OptOutSource
from justedroit.outreach.services import campaigns, network, partners, rights


@require_http_methods(["GET", "POST"])
@requires(perms.can_grant_mandate)
def outreach_mandates(request):
    account = getattr(request.user, "household_account", None)
    household = account.household if account else None
    form = MandateGrantForm(partners=selectors.partners())
    if request.method == "POST" and household is not None:
        if request.POST.get("action") == "revoke":
            _revoke(request, household)
            return redirect("portal:outreach_mandates")
        form = MandateGrantForm(request.POST, partners=selectors.partners())
        if done := submit_form(
            request,
            form,
            lambda data: services.mandate_grant(
                household=household,
                partner=data["partner"],
                days=data["days"],
                acting_user=request.user,
            ),
            said=lambda mandate: f"Mandat donné à {mandate.partner.name}.",
            then=lambda _: redirect("portal:outreach_mandates"),
        ):
            return done
    return render(
        request,
        "portal/outreach_mandates.html",
        {
            "household": household,
            "form": form,
            "mandates": selectors.household_mandates(household) if household else [],
        },
        status=400 if request.method == "POST" else 200,
    )


def _revoke(request, household) -> None:
    form = MandateRevokeForm(request.POST)
    mandate = (
        selectors.household_mandate(household, form.cleaned_data["mandate"])
        if form.is_valid()
        else None
    )
    if mandate is None:
        messages.error(request, "Mandat introuvable.")
        return
    submit_action(
        request,
        lambda: services.mandate_revoke(mandate=mandate, acting_user=request.user),
        said=lambda _: f"Mandat à {mandate.partner.name} retiré.",
    )


@require_http_methods(["GET", "POST"])
@requires(perms.can_grant_mandate)
def outreach_rights(request):
    """« Mes droits »: the benefits received, explained; those the allocataire may claim, with the
    engine's estimate, claimed in one step; and whether the Caf may contact them about them."""
    account = getattr(request.user, "household_account", None)
    household = account.household if account else None
    status = 200
    if request.method == "POST" and household is not None:
        action = request.POST.get("action")
        try:
            if action == "claim":
                claim = rights.portal_claim(
                    household=household,
                    benefit=request.POST.get("benefit", ""),
                    acting_user=request.user,
                )
                messages.success(
                    request,
                    f"Votre demande de {claim.get_benefit_display().lower()} est enregistrée : "
                    "la Caf l'instruit et vous écrit.",
                )
            elif action == "opt_out":
                campaigns.opt_out_record(
                    household=household, source=OptOutSource.PORTAL, acting_user=request.user
                )
                messages.success(request, "La Caf ne vous sollicitera plus (SMS, appels).")
            elif action == "opt_in":
                campaigns.opt_out_withdraw(household=household, acting_user=request.user)
                messages.success(request, "La Caf pourra de nouveau vous informer de vos droits.")
            else:
                raise ValidationError("Action inconnue.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            status = 400
        else:
            return redirect("portal:outreach_rights")
    return render(
        request,
        "portal/outreach_rights.html",
        {
            "household": household,
            "rights": selectors.household_rights(household) if household else None,
            "opted_out": selectors.opted_out(household) if household else None,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@requires(perms.can_act_as_partner)
def partner_household(request):
    """A partner looks up a household under its mandate (first level) and refers it to the Caf.
    Without a mandate in force: the same message as for an unknown number."""
    partner = selectors.partner_of(request.user)
    number = (request.POST.get("numero") or request.GET.get("numero") or "").strip()
    summary, status = None, 200
    if partner is not None and number:
        try:
            if request.method == "POST":
                partners.referral_create(
                    partner=partner,
                    household_number=number,
                    reason=request.POST.get("motif", ""),
                    acting_user=request.user,
                )
                messages.success(request, f"Foyer {number} orienté vers la Caf.")
                return redirect(f"{request.path}?numero={number}")
            summary = partners.partner_household_consult(
                partner=partner, household_number=number, acting_user=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            status = 400 if request.method == "POST" else 404
    return render(
        request,
        "portal/partner_household.html",
        {"partner": partner, "number": number, "summary": summary},
        status=status,
    )


@require_GET
@requires(perms.can_act_as_partner)
def partner_material(request):
    """The current information material of the monthly meetings, to download."""
    return render(
        request,
        "portal/partner_material.html",
        {
            "partner": selectors.partner_of(request.user),
            "material": selectors.current_material(),
        },
    )


@require_GET
@requires(perms.can_act_as_partner)
def partner_material_file(request, version: int):
    """The material's file, streamed after the check, each download counted for the partner.
    Only the current version: an outdated one is no longer handed out."""
    partner = selectors.partner_of(request.user)
    material = selectors.current_material()
    if partner is None or material is None or material.version != version:
        raise Http404
    try:
        content = storage.path_of(material.stored_name).read_bytes()  # ≤ the upload size limit
    except (OSError, ValidationError):
        raise Http404 from None
    network.material_download_record(material=material, partner=partner)
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
    response = HttpResponse(content, content_type=material.content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="support-caf-v{material.version}.'
        f'{extension.get(material.content_type, "bin")}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
