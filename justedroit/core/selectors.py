import datetime as dt

from django.db.models import QuerySet

from justedroit.core.models import AuditEvent, ImportJournal


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


def import_journals(limit: int = 200) -> QuerySet[ImportJournal]:
    return ImportJournal.objects.select_related("duplicate_of")[:limit]
