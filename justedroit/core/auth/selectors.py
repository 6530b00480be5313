"""Reading login events and external identities."""

import datetime as dt

from justedroit.core import clock
from justedroit.core.auth.enums import LoginEvent
from justedroit.core.models import AuditAction, AuditEvent, ExternalIdentity, User

PASSWORD_RESETS_PER_ADDRESS = 10
PASSWORD_RESETS_PER_ACCOUNT = 3
PASSWORD_RESET_WINDOW = dt.timedelta(hours=1)


def password_reset_requests_recent(*, ip: str = "", account: User | None = None) -> int:
    events = AuditEvent.objects.filter(
        action=AuditAction.LOGIN,
        at__gt=clock.now() - PASSWORD_RESET_WINDOW,
        detail__event=LoginEvent.PASSWORD_RESET_REQUEST.value,
    )
    if ip:
        events = events.filter(detail__ip=ip)
    if account is not None:
        events = events.filter(object_type=User._meta.label, object_id=str(account.pk))
    return events.count()


def identity_by_subject(*, issuer: str, subject: str) -> ExternalIdentity | None:
    return (
        ExternalIdentity.objects.select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )
