"""Writes of the reception domain. Each service is atomic, writes its audit event in the same
transaction and raises ValidationError with a French message on bad input (nothing written)."""

from justedroit.reception.services.appointments import (
    appointment_book,
    appointment_cancel,
    appointment_check_in,
    appointment_mark,
    appointment_move,
)
from justedroit.reception.services.setup import (
    absence_create,
    closure_create,
    opening_hours_add,
    opening_slot_create,
    permanence_open,
    slot_override_set,
)
from justedroit.reception.services.walk_in import (
    ticket_call_next,
    ticket_close,
    ticket_issue,
    ticket_no_show,
    ticket_send_back,
    ticket_serve,
    ticket_transfer,
)

__all__ = [
    "absence_create",
    "appointment_book",
    "appointment_cancel",
    "appointment_check_in",
    "appointment_mark",
    "appointment_move",
    "closure_create",
    "opening_hours_add",
    "opening_slot_create",
    "permanence_open",
    "slot_override_set",
    "ticket_call_next",
    "ticket_close",
    "ticket_issue",
    "ticket_no_show",
    "ticket_send_back",
    "ticket_serve",
    "ticket_transfer",
]
