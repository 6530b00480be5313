"""E-mail replies on the task queue (see core/sending.py). The thread follows its latest reply:
« réponse en cours d'envoi » while it is queued or being sent, « répondu » once it has left,
« échec — à renvoyer » when every attempt failed."""

from django.core.mail import EmailMessage as OutgoingEmail
from django_tasks import task

from justedroit.channels.models import Direction, EmailMessage, EmailThread, ThreadStatus
from justedroit.core import clock, sending
from justedroit.core.sending import DeliveryStatus, header_safe

THREAD_STATUS = {
    DeliveryStatus.QUEUED: ThreadStatus.SENDING,
    DeliveryStatus.SENDING: ThreadStatus.SENDING,
    DeliveryStatus.SENT: ThreadStatus.ANSWERED,
    DeliveryStatus.DELIVERED: ThreadStatus.ANSWERED,
    DeliveryStatus.FAILED: ThreadStatus.SEND_FAILED,
}


@task()
def email_reply_send(message_id: int) -> str:
    return sending.attempt(EmailMessage, message_id)


def reply_transmit(reply: EmailMessage) -> dict:
    """Send a reply. Every header is cleaned here: values from an inbound message (its subject,
    its Message-ID) are hostile and must not carry a line break into our headers."""
    headers = {"Message-ID": header_safe(reply.message_id)}
    answered = (
        reply.thread.messages.filter(direction=Direction.INBOUND, pk__lt=reply.pk)
        .order_by("-at")
        .first()
    )
    if answered is not None:
        reference = header_safe(answered.message_id)
        headers |= {"In-Reply-To": reference, "References": reference}
    OutgoingEmail(
        subject=header_safe(reply.subject),
        body=reply.body,
        from_email=header_safe(reply.sender),
        to=[header_safe(reply.recipient)],
        headers=headers,
    ).send()
    return {}


def thread_follows_reply(reply: EmailMessage) -> None:
    """Runs in the transaction of each status change of a reply. A thread that got a new inbound
    message meanwhile stays waiting; only its latest reply speaks for it."""
    thread = EmailThread.objects.select_for_update().get(pk=reply.thread_id)
    latest = thread.messages.filter(direction=Direction.OUTBOUND).order_by("-pk").first()
    if thread.status == ThreadStatus.WAITING or latest is None or latest.pk != reply.pk:
        return
    status = THREAD_STATUS[DeliveryStatus(reply.status)]
    if thread.status != status:
        thread.status = status
        thread.save(update_fields=["status"])


def reply_describe(reply: EmailMessage) -> sending.Description:
    thread = reply.thread
    return sending.Description(
        what=f"Réponse « {reply.subject} » du {reply.at.astimezone(clock.PARIS):%d/%m/%Y}",
        recipient=reply.recipient,
        household_number=thread.household.number if thread.household_id else "",
    )


sending.outbound_kind(
    sending.OutboundKind(
        model=EmailMessage,
        label="Réponses aux courriels",
        task=email_reply_send,
        transmit=reply_transmit,
        describe=reply_describe,
        select_related=("thread__household",),
        on_status=thread_follows_reply,
    )
)
