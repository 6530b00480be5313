"""The cycle's letters on the task queue (see core/sending.py)."""

from django_tasks import task

from justedroit.core import sending
from justedroit.cycle import letters
from justedroit.cycle.models import AdjustmentLetter


@task()
def letter_send(letter_id: int) -> str:
    return sending.attempt(AdjustmentLetter, letter_id)


sending.outbound_kind(
    sending.OutboundKind(
        model=AdjustmentLetter,
        label="Lettres de rappel ou d'indu",
        task=letter_send,
        transmit=letters.letter_transmit,
        describe=letters.letter_describe,
        select_related=("household",),
    )
)
