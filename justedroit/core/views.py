from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from justedroit.core import perms, selectors
from justedroit.core.forms import AuditFilterForm
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
