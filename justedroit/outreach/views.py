"""Agent pages of the access-to-rights domain (thin: forms, then services)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from justedroit.core import clock
from justedroit.core.audit import display_record
from justedroit.core.web import provider_payload, public, requires, submit_action
from justedroit.outreach import perms, selectors, services
from justedroit.outreach.forms import MandateRecordForm
from justedroit.outreach.models import CallOutcome
from justedroit.outreach.services import campaigns, partners
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


@public  # for the SMS provider's server, authenticated by its bearer token, not a session
@csrf_exempt
@require_POST
def sms_inbound(request):
    """SMS received on the Caf's number (webhook): {"from": "+336…", "text": "STOP"}, or a list
    of them. « STOP » opts the sender's households out of the campaigns."""
    payload = provider_payload(request)
    if isinstance(payload, HttpResponse):
        return payload
    received = payload if isinstance(payload, list) else [payload]
    opted_out = 0
    for message in received[: campaigns.INBOUND_PER_REQUEST]:
        if isinstance(message, dict):
            opted_out += campaigns.sms_inbound(
                sender=str(message.get("from", "")), text=str(message.get("text", ""))
            )
    return JsonResponse({"foyers_desinscrits": opted_out})


@require_http_methods(["GET", "POST"])
@requires(perms.can_handle_referrals)
def referrals(request):
    """The partners' referrals waiting for the Caf; the agent records the outcome."""
    status = 200
    if request.method == "POST":
        found = selectors.referral(request.POST.get("referral") or 0)

        def close():
            if found is None:
                raise ValidationError("Orientation introuvable.")
            partners.referral_close(
                referral=found, outcome=request.POST.get("outcome", ""), acting_user=request.user
            )
            return found

        if submit_action(
            request,
            close,
            said=lambda closed: f"Orientation du foyer {closed.household.number} traitée.",
        ):
            return redirect("outreach:referrals")
        status = 400
    waiting = list(selectors.referrals_open())
    display_record(
        actor=request.user,
        page="orientations des partenaires",
        households=[r.household.number for r in waiting],
    )
    return render(request, "outreach/referrals.html", {"referrals": waiting}, status=status)


@require_http_methods(["GET", "POST"])
@requires(perms.can_call_candidates)
def campaign(request, campaign_id: int):
    """A campaign's funnel and its phone worklist: script, then the outcome of each call."""
    found = selectors.campaign(campaign_id)
    if found is None:
        raise Http404
    status = 200
    if request.method == "POST":
        candidate = selectors.call_to_make(found, request.POST.get("candidate"))

        def record():
            if candidate is None:
                raise ValidationError("Appel introuvable dans la liste.")
            campaigns.call_record(
                candidate=candidate,
                outcome=request.POST.get("outcome", ""),
                acting_user=request.user,
            )

        if submit_action(request, record, said=lambda _: "Résultat de l'appel enregistré."):
            return redirect("outreach:campaign", campaign_id=found.pk)
        status = 400
    to_call = list(selectors.phone_worklist(found)[: selectors.WORKLIST_PAGE])
    display_record(
        actor=request.user,
        page=f"appels de la campagne {found.pk}",
        households=[c.household.number for c in to_call],
    )
    return render(
        request,
        "outreach/campaign.html",
        {
            "campaign": found,
            "funnel": selectors.campaign_funnel(found),
            "to_call": [(c, campaigns.call_script(c)) for c in to_call],
            "outcomes": CallOutcome.choices,
        },
        status=status,
    )
