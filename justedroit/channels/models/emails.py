"""Emails: threads per household, assigned to a team, with the SLA clock on each inbound message.

An inbound message joins a household's file only when its sender is an address the household gave
the Caf (`registry.contacts`), or when an agent decides so at triage; each message says how it was
identified. Attachments are kept as documents of the thread; a message that cannot be filed is
quarantined, raw, with its reason."""

from django.db import models
from django.db.models import Q

from justedroit.channels.models.common import ContactReason, Team
from justedroit.channels.models.documents import ScanResult
from justedroit.core.models import Assignable, User
from justedroit.core.sending import DeliveryStatus, Outbound
from justedroit.registry.models import Household


class ThreadStatus(models.TextChoices):
    """A thread is answered only once its reply has left: it says so while the reply is queued
    and when sending it failed (channels/tasks.py)."""

    WAITING = "waiting", "En attente de réponse"
    SENDING = "sending", "Réponse en cours d'envoi"
    ANSWERED = "answered", "Répondu — réponse envoyée"
    SEND_FAILED = "failed", "Échec de l'envoi de la réponse — à renvoyer"
    REJECTED = "rejected", "Écarté au tri"


class EmailThread(Assignable):
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
    correspondent = models.EmailField(
        "adresse de l'expéditeur",
        blank=True,
        help_text="Telle qu'annoncée par le premier message : non vérifiée.",
    )
    triaged_at = models.DateTimeField("trié le", null=True, blank=True)
    triaged_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    triage_note = models.CharField(
        "note de tri", max_length=300, blank=True, default="", db_default=""
    )

    class Meta:
        verbose_name = "fil de courriels"
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ThreadStatus.REJECTED)
                | Q(household__isnull=True, triaged_at__isnull=False),
                name="thread_rejected_is_triaged_and_unlinked",
            ),
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


class Identification(models.TextChoices):
    PORTAL = "portal", "écrit depuis l'espace Mon compte"
    KNOWN_ADDRESS = "known", "envoyé d'une adresse connue du foyer"
    TRIAGE = "triage", "rattaché au foyer par un agent, au tri"
    UNIDENTIFIED = "none", "expéditeur non identifié"


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
    identified_by = models.CharField(
        "identification de l'expéditeur",
        max_length=6,
        choices=Identification.choices,
        blank=True,
        default="",
        db_default="",
    )
    identification_note = models.CharField(
        "adresse reconnue",
        max_length=200,
        blank=True,
        default="",
        db_default="",
        help_text="Laquelle des coordonnées du foyer a reconnu l'expéditeur, ou qui a rattaché.",
    )
    raw_sha256 = models.CharField(
        "empreinte du message brut", max_length=64, blank=True, default="", db_default=""
    )

    class Meta:
        verbose_name = "courriel"
        indexes = [
            models.Index(fields=["direction", "at"]),
            models.Index(fields=["raw_sha256"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(identified_by="") | Q(identified_by__in=Identification.values),
                name="email_identification_known",
            ),
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

    @property
    def inbound(self) -> bool:
        return self.direction == Direction.INBOUND

    @property
    def from_portal(self) -> bool:
        return self.source == EmailSource.PORTAL


class EmailAttachment(models.Model):
    """An inbound message's attachment, checked like an upload (type from content, size limit,
    virus scan) and stored outside the web root under a random name."""

    message = models.ForeignKey(
        EmailMessage, on_delete=models.PROTECT, related_name="attachments", verbose_name="courriel"
    )
    original_name = models.CharField("nom du fichier joint", max_length=255)
    stored_name = models.CharField("nom de stockage", max_length=64, unique=True)
    content_type = models.CharField("type de contenu (analysé)", max_length=30)
    size = models.PositiveIntegerField("taille (octets)")
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    scan_result = models.CharField("analyse antivirale", max_length=11, choices=ScanResult.choices)

    class Meta:
        verbose_name = "pièce jointe"
        constraints = [
            models.CheckConstraint(
                condition=Q(scan_result=ScanResult.CLEAN), name="attachment_scanned_clean"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.size} octets)"


class QuarantineStatus(models.TextChoices):
    PENDING = "pending", "À examiner"
    RELEASED = "released", "Classé (nouvel essai réussi)"
    DISCARDED = "discarded", "Écarté"


class QuarantinedEmail(models.Model):
    """A message that could not be filed, kept raw (a file outside the web root) with the reason,
    for an agent to examine: retried once the cause is fixed, or discarded with a note. Its
    headers here are sanitised and unverified."""

    label = models.CharField("provenance", max_length=300)
    received_at = models.DateTimeField("mis en quarantaine le", db_index=True)
    sha256 = models.CharField("empreinte du message brut", max_length=64, unique=True)
    size = models.PositiveBigIntegerField("taille (octets)")
    stored_name = models.CharField("nom de stockage", max_length=64, unique=True)
    sender = models.CharField("expéditeur annoncé", max_length=254, blank=True)
    subject = models.CharField("objet annoncé", max_length=200, blank=True)
    reason = models.CharField("motif", max_length=500)
    detail = models.CharField("détail technique", max_length=2000, blank=True)
    attempts = models.PositiveIntegerField("essais", default=1)
    status = models.CharField(
        "statut", max_length=9, choices=QuarantineStatus.choices, default=QuarantineStatus.PENDING
    )
    handled_at = models.DateTimeField("traité le", null=True, blank=True)
    handled_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    handling_note = models.CharField("note", max_length=300, blank=True)
    message = models.ForeignKey(
        EmailMessage,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="courriel classé",
    )

    class Meta:
        verbose_name = "courriel en quarantaine"
        verbose_name_plural = "courriels en quarantaine"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=QuarantineStatus.values), name="quarantine_status_known"
            ),
            models.CheckConstraint(
                condition=(Q(status=QuarantineStatus.PENDING) & Q(handled_at__isnull=True))
                | (Q(status=QuarantineStatus.RELEASED) & Q(message__isnull=False))
                | (Q(status=QuarantineStatus.DISCARDED) & ~Q(handling_note="")),
                name="quarantine_outcome_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"quarantaine {self.pk} : {self.reason}"
