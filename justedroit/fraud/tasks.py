"""The prevention letters on the task queue (see core/sending.py)."""

from django_tasks import task

from justedroit.core import sending
from justedroit.fraud import letters
from justedroit.fraud.models import PreventionLetter


@task()
def prevention_letter_send(letter_id: int) -> str:
    return sending.attempt(PreventionLetter, letter_id)


sending.outbound_kind(
    sending.OutboundKind(
        model=PreventionLetter,
        label="Lettres de mise en garde",
        task=prevention_letter_send,
        transmit=letters.prevention_transmit,
        describe=letters.prevention_describe,
        select_related=("household",),
    )
)
