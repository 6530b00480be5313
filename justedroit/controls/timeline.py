"""The controls' entries in a household's history: every event of every control, with a link to
the control file (whose content only the control's readers open)."""

from django.urls import reverse

from justedroit.controls import selectors
from justedroit.core.timeline import TimelineEntry, timeline_provider


@timeline_provider
def entries(household_id: int) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            at=event.at,
            channel="contrôle",
            title=f"{control.get_kind_display()} n° {control.pk} — {event.get_kind_display()}",
            detail=control.get_origin_display(),
            url=reverse("controls:control", args=[control.pk]),
        )
        for control in selectors.household_controls(household_id)
        for event in control.events.all()
    ]
