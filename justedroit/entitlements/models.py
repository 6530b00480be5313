"""Runs of the rights engine, the rights they computed, the payments made, and the rappels and
indus a recomputation finds. Paid history is immutable."""

from django.db import models
from django.db.models import Q

from justedroit.core.models import Immutable
from justedroit.registry.models import Benefit, Fact, Household

MONEY = {"max_digits": 12, "decimal_places": 2}


class RunStatus(models.TextChoices):
    RUNNING = "running", "En cours"
    FINISHED = "finished", "Terminé"
    INTERRUPTED = "interrupted", "Interrompu"


class Run(models.Model):
    """One computation of a month for many households, stored when it pays (`wet`): a dry run
    writes nothing. A wet run stores its rights and payments chunk by chunk; one that stops
    before the end (killed, stopped, failed) is `interrupted`, and the next run of the month
    resumes it, paying only the households not stored yet."""

    month = models.DateField("mois")
    as_of = models.DateTimeField("faits connus au")
    wet = models.BooleanField("paiement enregistré", default=False)
    whole_file = models.BooleanField("tout le fichier", default=True)
    executor = models.CharField("exécuteur", max_length=10, default="local")
    status = models.CharField(
        "état", max_length=12, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    started_at = models.DateTimeField("commencé le")
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)
    households = models.PositiveIntegerField("foyers", default=0)
    computed = models.PositiveIntegerField("foyers calculés", default=0)
    timings = models.JSONField("durées (s)", default=dict)
    versions = models.JSONField("versions du moteur", default=dict)
    errors = models.JSONField("foyers en erreur", default=list)
    # Households whose claim is running but not complete at the run's cut-off (housing situation
    # not declared yet): not computed, not in error; paid once complete (cycle recomputation).
    waiting = models.JSONField("foyers en attente de pièces", default=list)
    # Set by `services.run_compute` for the caller, not stored: the results computed, whether a
    # finished run was reused, and the households skipped because already stored.
    results: list
    reused: bool
    skipped: int

    class Meta:
        verbose_name = "calcul mensuel"
        constraints = [
            models.CheckConstraint(condition=Q(month__day=1), name="run_month_day_1"),
            models.CheckConstraint(
                condition=Q(status__in=RunStatus.values), name="run_status_known"
            ),
            # Two payment runs of one month never run together (see services.month_lock).
            models.UniqueConstraint(
                fields=["month"],
                condition=Q(wet=True, status=RunStatus.RUNNING),
                name="run_one_payment_run_at_a_time_per_month",
            ),
        ]

    def __str__(self) -> str:
        return f"calcul {self.month:%Y-%m} ({'paiement' if self.wet else 'à blanc'})"


class Entitlement(Immutable):
    """A right computed for a household, benefit and month: the amount the law gives
    (`eligible`) and what is due given the claims (`due`). Only non-zero rights are stored."""

    run = models.ForeignKey(Run, on_delete=models.PROTECT, related_name="entitlements")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    benefit = models.CharField("prestation", max_length=15, choices=Benefit.choices)
    month = models.DateField("mois")
    eligible = models.DecimalField("montant ouvert par la loi", **MONEY)
    due = models.DecimalField("montant dû (prestation demandée)", **MONEY)

    class Meta:
        verbose_name = "droit"
        constraints = [
            models.UniqueConstraint(
                fields=["run", "household", "benefit"], name="entitlement_once_per_run"
            ),
            models.CheckConstraint(
                condition=Q(eligible__gte=0) & Q(due__gte=0), name="entitlement_amounts_positive"
            ),
        ]
        indexes = [models.Index(fields=["household", "month"])]

    def __str__(self) -> str:
        return f"{self.benefit} {self.month:%Y-%m} : {self.due} €"


class Payment(Immutable):
    """What was paid to a household for a benefit and month, once."""

    run = models.ForeignKey(Run, on_delete=models.PROTECT, related_name="payments")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="payments")
    benefit = models.CharField("prestation", max_length=15, choices=Benefit.choices)
    month = models.DateField("mois")
    amount = models.DecimalField("montant", **MONEY)
    paid_at = models.DateTimeField("payé le")

    class Meta:
        verbose_name = "paiement"
        constraints = [
            models.UniqueConstraint(
                fields=["household", "benefit", "month"], name="payment_once_per_month"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive"),
        ]
        indexes = [models.Index(fields=["month", "benefit"])]

    def __str__(self) -> str:
        return f"{self.benefit} {self.month:%Y-%m} : {self.amount} €"


class AdjustmentKind(models.TextChoices):
    ARREARS = "arrears", "Rappel"
    OVERPAYMENT = "overpayment", "Indu"


class Adjustment(Immutable):
    """A rappel (owed to the household) or an indu (owed by it) for a benefit and month: the
    difference between what is due from the facts known now and what was settled so far."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="adjustments")
    benefit = models.CharField("prestation", max_length=15, choices=Benefit.choices)
    month = models.DateField("mois")
    kind = models.CharField("nature", max_length=12, choices=AdjustmentKind.choices)
    amount = models.DecimalField("montant", **MONEY)
    due = models.DecimalField("dû selon les faits connus", **MONEY)
    settled_before = models.DecimalField("réglé auparavant", **MONEY)
    computed_at = models.DateTimeField("calculé le")
    reason = models.CharField("motif", max_length=300, blank=True)
    causes = models.ManyToManyField(
        Fact, through="AdjustmentCause", related_name="+", verbose_name="faits à l'origine"
    )
    versions = models.JSONField("versions du moteur", default=dict)

    class Meta:
        verbose_name = "rappel ou indu"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="adjustment_positive")
        ]
        indexes = [models.Index(fields=["household", "benefit", "month"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.benefit} {self.month:%Y-%m} : {self.amount} €"

    @property
    def signed(self):
        return self.amount if self.kind == AdjustmentKind.ARREARS else -self.amount


class AdjustmentCause(Immutable):
    """A fact at the origin of a rappel or indu (the table Django made for `Adjustment.causes`,
    immutable like the adjustment it explains)."""

    adjustment = models.ForeignKey(Adjustment, on_delete=models.PROTECT)
    fact = models.ForeignKey(Fact, on_delete=models.PROTECT)

    class Meta:
        db_table = "entitlements_adjustment_causes"
        verbose_name = "fait à l'origine d'un rappel ou indu"
        unique_together = [("adjustment", "fact")]  # as Django made it
