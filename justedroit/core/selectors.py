import datetime as dt

from django.db.models import Q, QuerySet

from justedroit.core.models import AuditEvent


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
        # Refused logins have no actor: the username typed is in their detail.
        events = events.filter(Q(actor__username=username) | Q(detail__username=username))
    if household_number:
        events = events.filter(household_number=household_number)
    if action:
        events = events.filter(action=action)
    if date_from:
        events = events.filter(at__date__gte=date_from)
    if date_to:
        events = events.filter(at__date__lte=date_to)
    return events
