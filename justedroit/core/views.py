from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from justedroit.core import perms, selectors, services
from justedroit.core.forms import ApiTokenCreateForm, ApiTokenRevokeForm, AuditFilterForm
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


login = public(
    auth_views.LoginView.as_view(template_name="core/login.html", redirect_authenticated_user=True)
)
logout = public(auth_views.LogoutView.as_view())


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


@never_cache
@require_http_methods(["GET", "POST"])
@requires(perms.can_manage_api_tokens)
def api_tokens(request):
    """Partners' API tokens: create one (its secret is shown once, on this response only), list,
    revoke."""
    form = ApiTokenCreateForm(partner_accounts=selectors.partner_accounts())
    issued = None
    if request.method == "POST" and request.POST.get("action") == "revoke":
        revoke = ApiTokenRevokeForm(request.POST)
        token = (
            selectors.api_token_by_id(revoke.cleaned_data["token"]) if revoke.is_valid() else None
        )
        if token is None:
            messages.error(request, "Jeton inconnu.")
        else:
            try:
                services.api_token_revoke(token=token, acting_user=request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, f"Le jeton {token.prefix}… est révoqué.")
        return redirect("core:api_tokens")
    if request.method == "POST":
        form = ApiTokenCreateForm(request.POST, partner_accounts=selectors.partner_accounts())
        if form.is_valid():
            try:
                issued = services.api_token_create(acting_user=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
    status = 400 if request.method == "POST" and issued is None else 200
    return render(
        request,
        "core/api_tokens.html",
        {
            "form": form,
            "issued": issued,
            "tokens": selectors.api_tokens()[:500],
        },
        status=status,
    )
