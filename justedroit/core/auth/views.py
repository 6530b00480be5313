"""Login (password, the Caf's identity provider, FranceConnect), logout and passwords."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_GET, require_POST

from justedroit.core import perms
from justedroit.core.auth import identities, oidc, selectors, services
from justedroit.core.auth.client_ip import client_ip
from justedroit.core.auth.enums import LoginEvent, LoginMethod
from justedroit.core.auth.forms import LoginForm, PasswordResetRequestForm
from justedroit.core.web import public, requires

PROVIDER_METHODS = {
    "caf_agents": LoginMethod.CAF_AGENTS,
    "franceconnect": LoginMethod.FRANCECONNECT,
}
LINKED = "Votre identité FranceConnect est désormais reliée à votre compte."
NOT_LINKED = (
    "L'identité certifiée par FranceConnect ne correspond pas à l'allocataire ni à son conjoint "
    "dans ce dossier : elle n'a pas été reliée. Contactez votre Caf."
)
LINK_PENDING = (
    "Première connexion avec FranceConnect : connectez-vous une fois ci-dessous avec votre "
    "identifiant et votre mot de passe Juste Droit pour relier les deux. Ensuite, FranceConnect "
    "suffira."
)
PROVIDER_FAILED = (
    "La connexion n'a pas abouti. Réessayez ; si cela se reproduit, contactez votre Caf "
    "(agents : votre administrateur)."
)
TOO_MANY_RESETS = (
    "Trop de demandes de réinitialisation depuis cette adresse : réessayez dans une heure."
)


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        services.session_open(request=self.request, user=user, method=form.method)
        linked = identities.franceconnect_pending_link(request=self.request, user=user)
        if linked is not None:
            (messages.success if linked else messages.error)(
                self.request, LINKED if linked else NOT_LINKED
            )
        return HttpResponseRedirect(self.get_success_url())

    def form_invalid(self, form):
        services.login_failure_record(
            request=self.request,
            username=self.request.POST.get("username", ""),
            method=LoginMethod.PASSWORD,
            reason=form.failure_reason,
        )
        return super().form_invalid(form)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs, providers=oidc.configured_providers())


login = public(LoginView.as_view())


@public
@require_POST
def logout(request):
    """Ends the session here, then at the identity provider the user came through, if any."""
    provider, id_token = oidc.session_provider(request)
    services.session_close(request=request)
    login_url = request.build_absolute_uri(reverse("core:login"))
    end_session = oidc.end_session_url(provider, id_token, login_url) if provider else None
    return HttpResponseRedirect(end_session or login_url)


@public
@require_GET
def oidc_login(request, provider: str):
    if oidc.provider_settings(provider) is None:
        raise Http404
    callback = request.build_absolute_uri(reverse(f"core:{provider}_callback"))
    return oidc.authorization_redirect(request, provider, callback)


@public
@require_GET
def oidc_callback(request, provider: str):
    config = oidc.provider_settings(provider)
    if config is None:
        raise Http404
    method = PROVIDER_METHODS[provider]
    claims: dict = {}
    try:
        claims, id_token = oidc.verified_claims(request, provider)
        if provider == "caf_agents":
            user = identities.agent_for_claims(request=request, provider=config, claims=claims)
        else:
            user = identities.claimant_for_franceconnect(provider=config, claims=claims)
    except (oidc.OidcError, identities.IdentityRefused) as refusal:
        services.login_failure_record(
            request=request,
            username=str(claims.get(config.get("username_claim", "sub")) or ""),
            method=method,
            reason=str(refusal),
        )
        messages.error(request, PROVIDER_FAILED)
        return redirect("core:login")
    if user is None:
        identities.franceconnect_pending_keep(request=request, provider=config, claims=claims)
        messages.info(request, LINK_PENDING)
        return redirect("core:login")
    services.session_open(request=request, user=user, method=method)
    oidc.session_remember(request, provider, id_token)
    return redirect("core:home")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "core/password_change.html"
    success_url = reverse_lazy("core:password_change_done")

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            services.password_change_record(
                request=self.request, user=self.request.user, event=LoginEvent.PASSWORD_CHANGE
            )
        return response


password_change = requires(perms.can_change_own_password)(PasswordChangeView.as_view())
password_change_done = requires(perms.can_change_own_password)(
    auth_views.PasswordChangeDoneView.as_view(template_name="core/password_change_done.html")
)


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "core/password_reset.html"
    form_class = PasswordResetRequestForm
    email_template_name = "core/password_reset_email.txt"
    subject_template_name = "core/password_reset_subject.txt"
    success_url = reverse_lazy("core:password_reset_done")

    def form_valid(self, form):
        ip = client_ip(self.request)
        if selectors.password_reset_requests_recent(ip=ip) >= selectors.PASSWORD_RESETS_PER_ADDRESS:
            form.add_error(None, TOO_MANY_RESETS)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        services.password_reset_request_record(request=self.request, accounts=form.accounts())
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "core/password_reset_confirm.html"
    success_url = reverse_lazy("core:password_reset_complete")

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            services.password_change_record(
                request=self.request, user=form.user, event=LoginEvent.PASSWORD_RESET
            )
        return response


password_reset = public(PasswordResetView.as_view())
password_reset_done = public(
    auth_views.PasswordResetDoneView.as_view(template_name="core/password_reset_done.html")
)
password_reset_confirm = public(PasswordResetConfirmView.as_view())
password_reset_complete = public(
    auth_views.PasswordResetCompleteView.as_view(template_name="core/password_reset_complete.html")
)
