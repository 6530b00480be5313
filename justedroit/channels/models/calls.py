"""Telephony: calls to the 3230 (one row per call from the platform's export) and call-backs."""

from django.db import models
from django.db.models import Q

from justedroit.channels.models.common import ContactReason
from justedroit.core.models import Assignable, User
from justedroit.registry.models import Household


class CallQueue(models.TextChoices):
    GENERAL = "general", "Accueil général"
    RSA_PPA = "rsa_ppa", "RSA et prime d'activité"
    HOUSING = "housing", "Logement"
    FAMILY = "family", "Famille, petite enfance"
    RECOVERY = "recovery", "Recouvrement"


class CallOutcome(models.TextChoices):
    ANSWERED = "answered", "Décroché"
    ABANDONED = "abandoned", "Abandonné en attente"


class Call(models.Model):
    """One call offered to the platform. `call_id` is the platform's own identifier: importing the
    same export twice adds nothing."""

    call_id = models.CharField("identifiant plateforme", max_length=64, unique=True)
    queue = models.CharField("file", max_length=12, choices=CallQueue.choices)
    offered_at = models.DateTimeField("présenté le", db_index=True)
    outcome = models.CharField("issue", max_length=10, choices=CallOutcome.choices)
    wait_seconds = models.PositiveIntegerField("attente (s)")
    talk_seconds = models.PositiveIntegerField("conversation (s)", default=0)
    caller_number = models.CharField("numéro appelant", max_length=20, blank=True)
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="calls",
        verbose_name="foyer",
        help_text="Quand l'appelant s'est identifié.",
    )
    reason = models.CharField("motif", max_length=10, choices=ContactReason.choices, blank=True)
    imported_at = models.DateTimeField("importé le")

    class Meta:
        verbose_name = "appel"
        indexes = [models.Index(fields=["household", "offered_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(queue__in=CallQueue.values), name="call_queue_known"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=CallOutcome.values), name="call_outcome_known"
            ),
            models.CheckConstraint(
                condition=Q(reason="") | Q(reason__in=ContactReason.values),
                name="call_reason_known",
            ),
            models.CheckConstraint(
                condition=Q(outcome=CallOutcome.ANSWERED) | Q(talk_seconds=0),
                name="call_abandoned_has_no_talk",
            ),
        ]

    def __str__(self) -> str:
        return f"appel {self.call_id} {self.offered_at:%Y-%m-%d %H:%M} {self.outcome}"


class CallbackStatus(models.TextChoices):
    OPEN = "open", "À rappeler"
    DONE = "done", "Rappelé"


class CallbackRequest(Assignable):
    """A task: call this person back."""

    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="callback_requests",
        verbose_name="foyer",
    )
    call = models.ForeignKey(
        Call, on_delete=models.PROTECT, null=True, blank=True, verbose_name="appel d'origine"
    )
    phone = models.CharField("numéro à rappeler", max_length=20)
    reason = models.CharField("motif", max_length=10, choices=ContactReason.choices)
    requested_at = models.DateTimeField("demandé le", db_index=True)
    status = models.CharField(
        "statut", max_length=5, choices=CallbackStatus.choices, default=CallbackStatus.OPEN
    )
    done_at = models.DateTimeField("rappelé le", null=True, blank=True)
    done_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField("note", max_length=300, blank=True)

    class Meta:
        verbose_name = "demande de rappel"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CallbackStatus.values), name="callback_status_known"
            ),
            models.CheckConstraint(
                condition=(Q(status=CallbackStatus.DONE) & Q(done_at__isnull=False))
                | (Q(status=CallbackStatus.OPEN) & Q(done_at__isnull=True)),
                name="callback_done_has_date",
            ),
            models.CheckConstraint(
                condition=Q(reason__in=ContactReason.values), name="callback_reason_known"
            ),
        ]

    def __str__(self) -> str:
        return f"rappel {self.phone} ({self.get_status_display()})"
