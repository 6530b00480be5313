"""The files received from partners. Each import run has its `core.ImportJournal` row (hash,
counts, refused rows with their line and French message); `ExchangeFile` says which partner's
connector and which month the file was for, and how many registry facts it produced."""

from django.db import models
from django.db.models import Q

from justedroit.core.models import ImportJournal


class Connector(models.TextChoices):
    DRM = "drm", "DRM / PASRAU (ressources mensuelles)"
    FRANCE_TRAVAIL = "france_travail", "France Travail (inscription et allocations)"
    DGFIP = "dgfip", "DGFiP (revenu fiscal de référence N-2)"


class ExchangeFile(models.Model):
    journal = models.OneToOneField(
        ImportJournal, on_delete=models.PROTECT, related_name="exchange_file"
    )
    connector = models.CharField("partenaire", max_length=20, choices=Connector.choices)
    month = models.DateField("mois d'échange")
    facts_created = models.PositiveIntegerField("faits enregistrés", default=0)

    class Meta:
        verbose_name = "fichier d'échange"
        verbose_name_plural = "fichiers d'échange"
        ordering = ["-journal__started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(connector__in=Connector.values), name="exchange_file_connector_known"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="exchange_file_month_day_1"),
        ]

    def __str__(self) -> str:
        return f"{self.connector} {self.month:%Y-%m} ({self.journal_id})"
