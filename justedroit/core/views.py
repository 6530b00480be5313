from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from justedroit.core import perms, selectors, sending
from justedroit.core.forms import AuditFilterForm, SendRetryForm
from justedroit.core.web import public, requires


@public
@require_GET
def home(request):
    user = request.user
    if not user.is_authenticated:
        return redirect("core:login")
    if user.is_agent:
        return redirect("core:agent_home")
    if user.is_claimant:
        return redirect("portal:claimant_home")
    if user.is_partner:
        return redirect("portal:partner_home")
    return render(request, "core/no_role.html", status=403)


@public
@require_GET
def health(request):
    return HttpResponse("ok", content_type="text/plain")


@require_GET
@requires(perms.can_use_agent_space)
def agent_home(request):
    return render(request, "core/agent_home.html")


@require_GET
@requires(perms.can_view_audit_trail)
def audit_trail(request):
    form = AuditFilterForm(request.GET or None)
    events = (
        selectors.audit_events(**form.filters()) if form.is_valid() else selectors.audit_events()
    )
    return render(
        request,
        "core/audit_trail.html",
        {"form": form, "events": events[:500], "total": events.count()},
    )


@require_http_methods(["GET", "POST"])
@requires(perms.can_manage_failed_sends)
def failed_sends(request):
    if request.method == "POST":
        form = SendRetryForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Demande de renvoi invalide.")
            return redirect("core:failed_sends")
        try:
            sending.send_retry(
                kind_key=form.cleaned_data["kind"],
                pk=form.cleaned_data["pk"],
                acting_user=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Le message est remis en file d'envoi.")
        return redirect("core:failed_sends")
    listing = sending.sends_needing_attention()
    shown = [row for _, rows in listing for row in rows]
    sending.sends_consult(rows=shown, acting_user=request.user)
    return render(
        request,
        "core/failed_sends.html",
        {"listing": listing, "max_attempts": sending.max_attempts()},
    )
