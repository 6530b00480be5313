"""Emails: threads per household, assigned to a team, with the SLA clock on each inbound message."""

from django.db import models
from django.db.models import Q

from justedroit.channels.models.common import ContactReason, Team
from justedroit.core.models import User
from justedroit.core.sending import DeliveryStatus, Outbound
from justedroit.registry.models import Household


class ThreadStatus(models.TextChoices):
    """A thread is answered only once its reply has left: it says so while the reply is queued
    and when sending it failed (channels/tasks.py)."""

    WAITING = "waiting", "En attente de réponse"
    SENDING = "sending", "Réponse en cours d'envoi"
    ANSWERED = "answered", "Répondu — réponse envoyée"
    SEND_FAILED = "failed", "Échec de l'envoi de la réponse — à renvoyer"


class EmailThread(models.Model):
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="email_threads",
        verbose_name="foyer",
        help_text="Vide tant que l'expéditeur n'est pas identifié.",
    )
    subject = models.CharField("objet", max_length=200)
    reason = models.CharField("motif", max_length=10, choices=ContactReason.choices)
    team = models.CharField("équipe", max_length=12, choices=Team.choices)
    opened_at = models.DateTimeField("ouvert le", db_index=True)
    status = models.CharField("statut", max_length=8, choices=ThreadStatus.choices)
    correspondent = models.EmailField("adresse de l'allocataire", blank=True)

    class Meta:
        verbose_name = "fil de courriels"
        constraints = [
            models.CheckConstraint(
                condition=Q(reason__in=ContactReason.values), name="thread_reason_known"
            ),
            models.CheckConstraint(condition=Q(team__in=Team.values), name="thread_team_known"),
            models.CheckConstraint(
                condition=Q(status__in=ThreadStatus.values), name="thread_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"fil {self.pk} « {self.subject} »"


class Direction(models.TextChoices):
    INBOUND = "in", "Reçu"
    OUTBOUND = "out", "Réponse de la Caf"  # sent or not: see its delivery status


class EmailSource(models.TextChoices):
    PORTAL = "portal", "Formulaire de contact"
    MAILBOX = "mailbox", "Boîte aux lettres (import, IMAP)"
    AGENT = "agent", "Réponse d'un agent"


class EmailMessage(Outbound):
    """One message of a thread. An outbound message (an agent's reply) carries its delivery
    status; an inbound one has none. An outbound message with no status predates the task queue
    (or comes from the twin's history): nothing is known about its delivery."""

    status = models.CharField(
        "statut d'envoi",
        max_length=10,
        choices=DeliveryStatus.choices,
        blank=True,
        default="",
        db_default="",
    )
    thread = models.ForeignKey(
        EmailThread, on_delete=models.PROTECT, related_name="messages", verbose_name="fil"
    )
    direction = models.CharField("sens", max_length=3, choices=Direction.choices)
    source = models.CharField("origine", max_length=7, choices=EmailSource.choices)
    message_id = models.CharField("Message-ID", max_length=255, unique=True)
    sender = models.CharField("expéditeur", max_length=254)
    recipient = models.CharField("destinataire", max_length=254, blank=True)
    subject = models.CharField("objet", max_length=200)
    body = models.TextField("texte", blank=True)
    at = models.DateTimeField("date", db_index=True)
    author = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField("répondu le", null=True, blank=True)
    response_minutes = models.PositiveIntegerField(
        "délai de réponse (minutes ouvrées)", null=True, blank=True
    )

    class Meta:
        verbose_name = "courriel"
        indexes = [models.Index(fields=["direction", "at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(direction__in=Direction.values), name="email_direction_known"
            ),
            models.CheckConstraint(
                condition=Q(source__in=EmailSource.values), name="email_source_known"
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | Q(direction=Direction.INBOUND),
                name="email_only_inbound_is_answered",
            ),
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True, response_minutes__isnull=True)
                | Q(answered_at__isnull=False, response_minutes__isnull=False),
                name="email_answer_has_delay",
            ),
            models.CheckConstraint(
                condition=Q(status="")
                | Q(direction=Direction.OUTBOUND, status__in=DeliveryStatus.values),
                name="email_only_outbound_has_delivery_status",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.at:%Y-%m-%d %H:%M} {self.sender}"
