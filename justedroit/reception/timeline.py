"""Visits and appointments in the household's contact history."""

from justedroit.core.timeline import TimelineEntry, timeline_provider
from justedroit.reception.models import Appointment, Ticket


@timeline_provider
def entries(household_id: int) -> list[TimelineEntry]:
    found = [
        TimelineEntry(
            at=a.starts_at,
            channel="rendez-vous",
            title=f"Rendez-vous {a.get_channel_display().lower()} : {a.type.label}",
            detail=f"{a.site.name} — {a.get_status_display()}",
        )
        for a in Appointment.objects.filter(household_id=household_id).select_related(
            "type", "site"
        )[:200]
    ]
    found += [
        TimelineEntry(
            at=t.arrived_at,
            channel="accueil",
            title=f"Visite sans rendez-vous : {t.get_reason_display()}",
            detail=f"{t.site.name} — {t.get_status_display()}"
            + (f", {t.get_outcome_display().lower()}" if t.outcome else ""),
        )
        for t in Ticket.objects.filter(household_id=household_id).select_related("site")[:200]
    ]
    return found
