"""The channels' entries in a household's contact history."""

from django.urls import reverse

from justedroit.channels import selectors
from justedroit.core.timeline import TimelineEntry, timeline_provider


@timeline_provider
def entries(household_id: int) -> list[TimelineEntry]:
    contacts = selectors.household_contacts(household_id)
    result = [
        TimelineEntry(
            at=call.offered_at,
            channel="téléphone",
            title=f"Appel au 3230 — {call.get_outcome_display().lower()}",
            detail=", ".join(
                part
                for part in (
                    call.get_queue_display(),
                    call.get_reason_display() if call.reason else "",
                    f"{call.talk_seconds // 60} min de conversation" if call.talk_seconds else "",
                )
                if part
            ),
        )
        for call in contacts["calls"]
    ]
    result += [
        TimelineEntry(
            at=callback.requested_at,
            channel="téléphone",
            title=f"Demande de rappel — {callback.get_status_display().lower()}",
            detail=callback.get_reason_display(),
        )
        for callback in contacts["callbacks"]
    ]
    result += [
        TimelineEntry(
            at=message.at,
            channel="courriel",
            title=f"Courriel — {message.get_direction_display()} : {message.subject}",
            detail=message.thread.get_reason_display()
            + (f" — {message.get_status_display().lower()}" if message.status else ""),
            url=reverse("channels:email_thread", args=[message.thread_id]),
        )
        for message in contacts["messages"]
    ]
    result += [
        TimelineEntry(
            at=document.received_at,
            channel="document",
            title=f"{document.get_kind_display()} ({document.get_channel_display().lower()})",
            detail=document.get_outcome_display() if document.outcome else "en attente",
            url=reverse("channels:document_detail", args=[document.pk]),
        )
        for document in contacts["documents"]
    ]
    result += [
        TimelineEntry(
            at=procedure.submitted_at,
            channel="téléprocédure",
            title=procedure.get_kind_display()
            + (f" — {procedure.get_benefit_display()}" if procedure.benefit else ""),
            detail=procedure.get_channel_display(),
        )
        for procedure in contacts["procedures"]
    ]
    return result
