"""The walk-in queue (accueil sur flux): ticket on arrival, call next, serve, transfer, send back,
no-show, close with an outcome. Waiting time = first call − arrival; service time = end − start."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max

from justedroit.core import clock
from justedroit.core.audit import audit_record
from justedroit.core.models import AuditAction, User
from justedroit.reception.models import (
    Queue,
    Site,
    Ticket,
    TicketOutcome,
    TicketStatus,
    VisitReason,
)
from justedroit.registry.models import Household

S = TicketStatus


def _audit(ticket: Ticket, acting_user: User | None, reason: str, **detail) -> None:
    audit_record(
        actor=acting_user,
        action=AuditAction.CREATE if reason == "Ticket d'accueil" else AuditAction.UPDATE,
        household_number=ticket.household.number if ticket.household else "",
        obj=ticket,
        reason=reason,
        detail={"status": ticket.status, **detail},
    )


def ticket_issue(
    *,
    site: Site,
    queue: str,
    reason: str,
    acting_user: User | None,
    household: Household | None = None,
) -> Ticket:
    if not site.offers_walk_in:
        raise ValidationError(f"{site.name} ne reçoit que sur rendez-vous.")
    if queue not in Queue.values:
        raise ValidationError("File d'attente inconnue.")
    if reason not in VisitReason.values:
        raise ValidationError("Motif de visite inconnu.")
    now = clock.now()
    with transaction.atomic():
        Site.objects.select_for_update().get(pk=site.pk)
        last = Ticket.objects.filter(site=site, day=now.date()).aggregate(n=Max("number"))["n"]
        ticket = Ticket.objects.create(
            site=site,
            day=now.date(),
            number=(last or 0) + 1,
            queue=queue,
            reason=reason,
            household=household,
            arrived_at=now,
        )
        _audit(ticket, acting_user, "Ticket d'accueil")
    return ticket


def _transition(ticket: Ticket, allowed: set[str], acting_user, reason: str, **changes) -> Ticket:
    with transaction.atomic():
        locked = (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("household")
            .get(pk=ticket.pk)
        )
        if locked.status not in allowed:
            raise ValidationError(
                f"Le ticket {locked.label} est « {locked.get_status_display().lower()} » : "
                "action impossible."
            )
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(changes))
        locked.refresh_from_db()
        _audit(locked, acting_user, reason)
    return locked


def ticket_call_next(*, site: Site, queue: str, acting_user: User) -> Ticket | None:
    """Call the first waiting ticket of the queue (in arrival order), or None if nobody waits."""
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update()
            .filter(site=site, day=clock.today(), queue=queue, status=S.WAITING)
            .order_by("arrived_at", "number")
            .first()
        )
        if ticket is None:
            return None
        now = clock.now()
        return _transition(
            ticket,
            {S.WAITING},
            acting_user,
            "Ticket appelé",
            status=S.CALLED,
            called_at=ticket.called_at or now,
            agent=acting_user,
        )


def ticket_serve(*, ticket: Ticket, acting_user: User) -> Ticket:
    return _transition(
        ticket,
        {S.CALLED},
        acting_user,
        "Entretien commencé",
        status=S.SERVING,
        service_started_at=ticket.service_started_at or clock.now(),
        agent=acting_user,
    )


def ticket_transfer(*, ticket: Ticket, queue: str, acting_user: User) -> Ticket:
    if queue not in Queue.values or queue == ticket.queue:
        raise ValidationError("Choisissez une autre file pour le transfert.")
    return _transition(
        ticket,
        {S.CALLED, S.SERVING},
        acting_user,
        "Ticket transféré",
        status=S.WAITING,
        queue=queue,
        transfers=F("transfers") + 1,
    )


def ticket_send_back(*, ticket: Ticket, acting_user: User) -> Ticket:
    """Back to the waiting line (e.g. the visitor fetches a missing paper); keeps the arrival."""
    return _transition(
        ticket,
        {S.CALLED, S.SERVING},
        acting_user,
        "Ticket renvoyé en file",
        status=S.WAITING,
        sent_back=F("sent_back") + 1,
    )


def ticket_no_show(*, ticket: Ticket, acting_user: User) -> Ticket:
    return _transition(
        ticket,
        {S.WAITING, S.CALLED},
        acting_user,
        "Visiteur parti",
        status=S.NO_SHOW,
        finished_at=clock.now(),
    )


def ticket_close(*, ticket: Ticket, outcome: str, acting_user: User) -> Ticket:
    if outcome not in TicketOutcome.values:
        raise ValidationError("Choisissez l'issue de la visite.")
    return _transition(
        ticket,
        {S.SERVING},
        acting_user,
        "Visite terminée",
        status=S.DONE,
        outcome=outcome,
        finished_at=clock.now(),
    )
