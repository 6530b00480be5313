"""Incoming documents, online or on paper, typed and routed to automatic or manual processing."""

from django.db import models
from django.db.models import Q

from justedroit.core.models import Assignable, User
from justedroit.registry.models import Household


class DocumentChannel(models.TextChoices):
    ONLINE = "online", "En ligne (transmettre un document)"
    PAPER = "paper", "Papier (numérisé à la Caf)"


class DocumentKind(models.TextChoices):
    RESOURCES_DECLARATION = "resources_declaration", "Déclaration de ressources (formulaire)"
    PAYSLIP = "payslip", "Bulletin de salaire"
    RENT_RECEIPT = "rent_receipt", "Quittance de loyer"
    IDENTITY = "identity", "Pièce d'identité"
    BANK_DETAILS = "bank_details", "Relevé d'identité bancaire"
    SCHOOL_CERTIFICATE = "school_certificate", "Certificat de scolarité"
    OTHER = "other", "Autre document"


class Routing(models.TextChoices):
    AUTOMATIC = "automatic", "Traitement automatique"
    MANUAL = "manual", "File des gestionnaires"


class Outcome(models.TextChoices):
    INTEGRATED = "integrated", "Intégré automatiquement"
    ACCEPTED = "accepted", "Pris en compte"
    REJECTED = "rejected", "Refusé (illisible, incomplet)"


class ScanResult(models.TextChoices):
    CLEAN = "clean", "Sain"
    NOT_SCANNED = "not_scanned", "Sans fichier (formulaire) ou non analysé"


class Document(Assignable):
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="documents", verbose_name="foyer"
    )
    channel = models.CharField("canal", max_length=6, choices=DocumentChannel.choices)
    kind = models.CharField("type", max_length=22, choices=DocumentKind.choices)
    routing = models.CharField("orientation", max_length=9, choices=Routing.choices)
    received_at = models.DateTimeField("reçu le", db_index=True)
    original_name = models.CharField("nom du fichier envoyé", max_length=255, blank=True)
    stored_name = models.CharField("nom de stockage", max_length=64, blank=True)
    content_type = models.CharField("type de contenu (analysé)", max_length=30, blank=True)
    size = models.PositiveIntegerField("taille (octets)", default=0)
    sha256 = models.CharField("empreinte SHA-256", max_length=64, blank=True)
    scan_result = models.CharField("analyse antivirale", max_length=11, choices=ScanResult.choices)
    payload = models.JSONField("données structurées", default=dict, blank=True)
    submitted_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="déposé ou numérisé par",
    )
    processed_at = models.DateTimeField("traité le", null=True, blank=True, db_index=True)
    outcome = models.CharField("résultat", max_length=10, choices=Outcome.choices, blank=True)
    processed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField("note", max_length=300, blank=True)

    class Meta:
        verbose_name = "document"
        indexes = [
            models.Index(fields=["household", "received_at"]),
            models.Index(fields=["routing", "processed_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=DocumentChannel.values), name="document_channel_known"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=DocumentKind.values), name="document_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(routing__in=Routing.values), name="document_routing_known"
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(outcome__in=Outcome.values),
                name="document_outcome_known",
            ),
            models.CheckConstraint(
                condition=Q(processed_at__isnull=True, outcome="")
                | (Q(processed_at__isnull=False) & ~Q(outcome="")),
                name="document_processed_has_outcome",
            ),
            # Only a structured declaration sent online can be integrated by a rule.
            models.CheckConstraint(
                condition=Q(routing=Routing.MANUAL)
                | Q(channel=DocumentChannel.ONLINE, kind=DocumentKind.RESOURCES_DECLARATION),
                name="document_automatic_is_online_declaration",
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(routing=Routing.MANUAL) | Q(outcome=Outcome.INTEGRATED),
                name="document_automatic_outcome_is_integrated",
            ),
            models.UniqueConstraint(
                fields=["stored_name"],
                condition=~Q(stored_name=""),
                name="document_stored_name_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.received_at:%Y-%m-%d} ({self.channel})"
