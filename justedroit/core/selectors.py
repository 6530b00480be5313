import datetime as dt

from django.db.models import QuerySet

from justedroit.core import clock
from justedroit.core.models import ApiToken, AuditEvent, User
from justedroit.core.roles import PARTNER_ROLES


def audit_events(
    *,
    username: str = "",
    household_number: str = "",
    action: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.select_related("actor")
    if username:
        events = events.filter(actor__username=username)
    if household_number:
        events = events.filter(household_number=household_number)
    if action:
        events = events.filter(action=action)
    if date_from:
        events = events.filter(at__date__gte=date_from)
    if date_to:
        events = events.filter(at__date__lte=date_to)
    return events


def api_tokens(*, include_inactive: bool = True) -> QuerySet[ApiToken]:
    """Tokens, newest first; only the usable ones (not revoked, not expired) if asked."""
    tokens = ApiToken.objects.select_related("user")
    if not include_inactive:
        tokens = tokens.filter(revoked_at__isnull=True, expires_at__gt=clock.now())
    return tokens


def api_token_by_prefix(prefix: str) -> ApiToken | None:
    """The one token starting with `prefix` (None if none or several)."""
    matches = list(ApiToken.objects.select_related("user").filter(prefix=prefix)[:2])
    return matches[0] if len(matches) == 1 else None


def api_token_by_id(token_id: int) -> ApiToken | None:
    return ApiToken.objects.select_related("user").filter(pk=token_id).first()


def partner_accounts() -> QuerySet[User]:
    """Active partner accounts (who may hold an API token)."""
    return User.objects.filter(is_active=True, role__in=PARTNER_ROLES).order_by("username")


def user_by_username(username: str) -> User | None:
    return User.objects.filter(username=username).first()
