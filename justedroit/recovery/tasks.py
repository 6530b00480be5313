"""Recovery letters on the task queue (see core/sending.py)."""

from django_tasks import task

from justedroit.core import sending
from justedroit.recovery import letters
from justedroit.recovery.models import DebtLetter


@task()
def debt_letter_send(letter_id: int) -> str:
    return sending.attempt(DebtLetter, letter_id)


sending.outbound_kind(
    sending.OutboundKind(
        model=DebtLetter,
        label="Lettres de recouvrement",
        task=debt_letter_send,
        transmit=letters.letter_transmit,
        describe=letters.letter_describe,
        select_related=("household",),
    )
)
