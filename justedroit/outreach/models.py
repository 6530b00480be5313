"""Access to rights: the relay partners (Espaces France Services, points relais Caf), their staff
accounts, and the allocataires' mandates to them.

A partner acts for a household — books, sees or cancels its appointments — only under a mandate
that the allocataire gave in the portal, or that an agent recorded from a signed paper, until it
expires or is revoked.
"""

from django.db import models
from django.db.models import F, Q

from justedroit.core import clock
from justedroit.core.models import User
from justedroit.registry.models import Commune, Household


class PartnerKind(models.TextChoices):
    FRANCE_SERVICES = "efs", "Espace France Services"
    RELAY = "relay", "Point relais Caf"


class Partner(models.Model):
    kind = models.CharField("nature", max_length=5, choices=PartnerKind.choices)
    name = models.CharField("nom", max_length=200, unique=True)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, verbose_name="commune")

    class Meta:
        verbose_name = "partenaire"
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=PartnerKind.values), name="partner_kind")
        ]

    def __str__(self) -> str:
        return self.name


class PartnerMember(models.Model):
    """A partner account (role partner_efs / partner_relay) and the organisation it works for."""

    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="partner_membership")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="members")

    class Meta:
        verbose_name = "compte d'un partenaire"

    def __str__(self) -> str:
        return f"{self.user} → {self.partner}"


class MandateSource(models.TextChoices):
    PORTAL = "portal", "Donné par l'allocataire dans Mon dossier"
    AGENT = "agent", "Enregistré par un agent sur pièce justificative"


class Mandate(models.Model):
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="mandates", verbose_name="foyer"
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="mandates", verbose_name="partenaire"
    )
    source = models.CharField("donné", max_length=6, choices=MandateSource.choices)
    granted_at = models.DateTimeField("donné le")
    granted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    evidence = models.CharField(
        "pièce justificative",
        max_length=300,
        blank=True,
        help_text="Obligatoire quand un agent l'enregistre (ex. : mandat signé le 12/01).",
    )
    expires_at = models.DateTimeField("expire le")
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "mandat"
        ordering = ["-granted_at", "-id"]
        indexes = [models.Index(fields=["partner", "household"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(source__in=MandateSource.values), name="mandate_source_known"
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("granted_at")), name="mandate_expires_after_grant"
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=F("granted_at")),
                name="mandate_revoked_after_grant",
            ),
            models.CheckConstraint(
                condition=~Q(source=MandateSource.AGENT) | ~Q(evidence=""),
                name="mandate_agent_has_evidence",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} → {self.partner}"

    @property
    def in_force(self) -> bool:
        now = clock.now()
        return self.revoked_at is None and self.granted_at <= now < self.expires_at
