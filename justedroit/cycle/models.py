"""The journal of the Caf's monthly cycle (one row per month and step) and the letters telling
an allocataire of the rappels and indus a cycle found."""

from django.db import models
from django.db.models import Q

from justedroit.core.sending import DeliveryStatus, Outbound
from justedroit.registry.models import Household


class StepStatus(models.TextChoices):
    STARTED = "started", "Commencée"
    DONE = "done", "Terminée"
    INTERRUPTED = "interrupted", "Interrompue"


class CycleStep(models.Model):
    """One step of one month's cycle. A step `done` is not run again; a step `started` whose
    process died (killed) or `interrupted` (failed) is run again — every step is idempotent."""

    month = models.DateField("mois")
    step = models.CharField("étape", max_length=40)
    status = models.CharField("état", max_length=12, choices=StepStatus.choices)
    counts = models.JSONField("décomptes", default=dict)
    attempts = models.PositiveSmallIntegerField("lancements", default=0)
    started_at = models.DateTimeField("commencée le")
    finished_at = models.DateTimeField("terminée le", null=True, blank=True)
    seconds = models.DecimalField(
        "durée (s)", max_digits=10, decimal_places=3, null=True, blank=True
    )

    class Meta:
        verbose_name = "étape du cycle mensuel"
        ordering = ["month", "started_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["month", "step"], name="cycle_step_once_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="cycle_step_month_day_1"),
            models.CheckConstraint(
                condition=Q(status__in=StepStatus.values), name="cycle_step_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.step} ({self.status})"


class LetterChannel(models.TextChoices):
    EMAIL = "email", "Courriel"
    POST = "post", "Courrier postal"


class AdjustmentLetter(Outbound):
    """The letter telling a household of the rappels and indus the cycle of `month` recorded for
    it: by e-mail to the address it gave, by post otherwise (sent by the task queue,
    `cycle/tasks.py`)."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    month = models.DateField("mois du cycle")
    channel = models.CharField("canal", max_length=5, choices=LetterChannel.choices)
    recipient = models.CharField("destinataire", max_length=254, blank=True)
    text = models.TextField("texte")
    created_at = models.DateTimeField("créée le")

    class Meta:
        verbose_name = "lettre de rappel ou d'indu"
        constraints = [
            models.UniqueConstraint(fields=["household", "month"], name="letter_once_per_cycle"),
            models.CheckConstraint(
                condition=Q(channel__in=LetterChannel.values), name="letter_channel_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="letter_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"lettre {self.month:%Y-%m} foyer {self.household_id} : {self.status}"
