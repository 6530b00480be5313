"""Reception's messages on the task queue: appointment SMS and e-mails (see core/sending.py)."""

from django_tasks import task

from justedroit.core import sending
from justedroit.reception import notifications
from justedroit.reception.models import Notification


@task()
def notification_send(notification_id: int) -> str:
    return sending.attempt(Notification, notification_id)


sending.outbound_kind(
    sending.OutboundKind(
        model=Notification,
        label="Messages de rendez-vous (SMS et courriels)",
        task=notification_send,
        transmit=notifications.notification_transmit,
        describe=notifications.notification_describe,
        select_related=("appointment__type", "appointment__site", "appointment__household"),
        check_retry=notifications.notification_check_retry,
    )
)
