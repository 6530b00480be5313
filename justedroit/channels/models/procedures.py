"""Claims and declarations with the channel they came through (online rate)."""

from django.db import models
from django.db.models import Q

from justedroit.core.models import User
from justedroit.registry.models import Benefit, Household


class ProcedureKind(models.TextChoices):
    CLAIM = "claim", "Demande de prestation"
    RESOURCES_DECLARATION = "resources_declaration", "Déclaration trimestrielle de ressources"
    SITUATION_CHANGE = "situation_change", "Changement de situation"
    ADDRESS_CHANGE = "address_change", "Changement d'adresse"
    BANK_DETAILS = "bank_details", "Changement de coordonnées bancaires"


class ProcedureChannel(models.TextChoices):
    ONLINE = "online", "En ligne (caf.fr, application)"
    PAPER = "paper", "Formulaire papier"
    DESK = "desk", "Au guichet"
    PARTNER = "partner", "Chez un partenaire"


class Procedure(models.Model):
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="procedures", verbose_name="foyer"
    )
    kind = models.CharField("démarche", max_length=22, choices=ProcedureKind.choices)
    channel = models.CharField("canal", max_length=7, choices=ProcedureChannel.choices)
    benefit = models.CharField(
        "prestation demandée", max_length=15, choices=Benefit.choices, blank=True
    )
    submitted_at = models.DateTimeField("déposée le", db_index=True)
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "démarche"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ProcedureKind.values), name="procedure_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=ProcedureChannel.values), name="procedure_channel_known"
            ),
            models.CheckConstraint(
                condition=(Q(kind=ProcedureKind.CLAIM) & Q(benefit__in=Benefit.values))
                | (~Q(kind=ProcedureKind.CLAIM) & Q(benefit="")),
                name="procedure_claim_names_benefit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.channel}) {self.submitted_at:%Y-%m-%d}"
