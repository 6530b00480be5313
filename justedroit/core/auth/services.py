"""Opening and closing sessions, refusing them, and linking external identities: each with its row
in the audit trail (action LOGIN, what happened in `detail["event"]`). No password or one-time code
is ever written; a refused attempt keeps the username tried and the client's real address."""

from django.contrib import auth
from django.db import transaction

from justedroit.core import clock
from justedroit.core.audit import audit_record
from justedroit.core.auth.client_ip import client_ip
from justedroit.core.auth.enums import LoginEvent, LoginMethod
from justedroit.core.models import AuditAction, ExternalIdentity, IdentityProvider, User

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
SESSION_METHOD_KEY = "justedroit_login_method"


def session_open(*, request, user: User, method: LoginMethod) -> None:
    with transaction.atomic():
        auth.login(request, user, backend=getattr(user, "backend", MODEL_BACKEND))
        request.session[SESSION_METHOD_KEY] = method.value
        _record(request, LoginEvent.LOGIN, actor=user, method=method.value)


def session_close(*, request) -> None:
    user = request.user
    with transaction.atomic():
        if user.is_authenticated:
            _record(request, LoginEvent.LOGOUT, actor=user)
        auth.logout(request)


def login_failure_record(*, request, username: str, method: LoginMethod, reason: str) -> None:
    """A refused login. `username` is what was typed (or the provider's identifier), never a
    secret; `reason` a short code for the security officer."""
    with transaction.atomic():
        _record(
            request,
            LoginEvent.FAILURE,
            actor=None,
            username=username[:150],
            method=method.value,
            reason=reason,
            locked_out=bool(getattr(request, "axes_locked_out", False)),
        )


def password_change_record(*, request, user: User, event: LoginEvent) -> None:
    ip = client_ip(request)
    with transaction.atomic():
        audit_record(
            actor=user,
            action=AuditAction.UPDATE,
            obj=user,
            reason=f"{event.label} depuis {ip}",
            detail={"event": event.value, "ip": ip},
        )


def password_reset_request_record(*, request, accounts: list[User]) -> None:
    """One row per account the address belongs to (none when it is unknown): the hourly limits
    count these rows. The address typed is not kept."""
    with transaction.atomic():
        targets: list[User | None] = [*accounts] if accounts else [None]
        for account in targets:
            _record(request, LoginEvent.PASSWORD_RESET_REQUEST, actor=None, obj=account)


def identity_link(
    *, request, user: User, provider: IdentityProvider, issuer: str, subject: str
) -> ExternalIdentity:
    """Records the provider's `sub` for the account. It replaces the account's previous identity at
    that provider, if any: callers decide whether that may happen."""
    with transaction.atomic():
        ExternalIdentity.objects.filter(user=user, provider=provider).delete()
        identity = ExternalIdentity.objects.create(
            user=user, provider=provider, issuer=issuer, subject=subject, linked_at=clock.now()
        )
        _record(request, LoginEvent.IDENTITY_LINK, actor=user, provider=provider.value)
    return identity


def _record(request, event: LoginEvent, *, actor: User | None, obj=None, **detail) -> None:
    ip = client_ip(request)
    tried = f", identifiant saisi « {detail['username']} »" if "username" in detail else ""
    audit_record(
        actor=actor,
        action=AuditAction.LOGIN,
        obj=obj,
        reason=f"{event.label} depuis {ip}{tried}",
        detail={"event": event.value, "ip": ip, **detail},
    )
