"""The debt ledger: a debt per group of indus notified together, its movements as an append-only
journal (balances are derived from it, never stored), the month's retentions on payments, the
repayment plans, the contentious path and the letters. See docs/recouvrement.md."""

import datetime as dt

from django.db import models
from django.db.models import Q

from justedroit.core.models import Immutable, User
from justedroit.core.sending import DeliveryStatus, Outbound
from justedroit.entitlements.models import Adjustment, Payment, Run
from justedroit.registry.models import Benefit, Household

MONEY = {"max_digits": 12, "decimal_places": 2}


class DebtOrigin(models.TextChoices):
    """Where the debt comes from, so the indicators can split them (docs/recouvrement.md)."""

    RECOMPUTE = "recompute", "Recalcul des droits (faits nouveaux d'un partenaire ou d'un agent)"
    LATE_DECLARATION = "late_declaration", "Recalcul après une déclaration tardive"
    CONTROL_AUTOMATED = "control_automated", "Contrôle automatisé"
    CONTROL_DOCUMENTS = "control_documents", "Contrôle sur pièces"
    CONTROL_ON_SITE = "control_on_site", "Contrôle sur place"
    FRAUD = "fraud", "Fraude ou fausse déclaration (dossier de fraude)"
    PENALTY = "penalty", "Pénalité administrative impayée (L114-17 CSS)"
    AGENT = "agent", "Saisie d'un agent"


class Debt(Immutable):
    """What a household owes for one benefit after indus notified together. Written once: its
    movements are `DebtEntry` rows."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="debts")
    benefit = models.CharField("prestation", max_length=15, choices=Benefit.choices)
    origin = models.CharField("origine", max_length=20, choices=DebtOrigin.choices)
    reason = models.CharField("motif", max_length=300)
    fraud = models.BooleanField("fraude ou fausse déclaration", default=False)
    first_month = models.DateField("premier mois")
    last_month = models.DateField("dernier mois")
    notified_on = models.DateField("notifiée le")
    prescription_from = models.DateField(
        "prescription courant depuis",
        help_text="Premier paiement indu ; en cas de fraude, découverte de la fraude.",
    )
    created_at = models.DateTimeField("créée le")
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "dette"
        constraints = [
            models.CheckConstraint(
                condition=Q(first_month__lte=models.F("last_month")), name="debt_months_ordered"
            ),
            models.CheckConstraint(
                condition=Q(origin__in=DebtOrigin.values), name="debt_origin_known"
            ),
        ]
        indexes = [models.Index(fields=["household", "notified_on"])]

    def __str__(self) -> str:
        return f"dette {self.pk} {self.benefit} notifiée le {self.notified_on:%d/%m/%Y}"

    @property
    def is_fraud(self) -> bool:
        """Notified as a fraud debt, or found to be one afterwards (`DebtFraudFound`)."""
        return self.fraud or hasattr(self, "fraud_found")

    @property
    def prescription_start(self) -> dt.date:
        """Prescription runs from the first indu payment, or from the discovery of the fraud
        (L553-1 CSS), a discovery after the notification included."""
        found = getattr(self, "fraud_found", None)
        return found.discovered_on if found is not None else self.prescription_from


# Debts of a fraud or false declaration, whether notified so or found so afterwards.
FRAUD_DEBTS = Q(fraud=True) | Q(fraud_found__isnull=False)


class DebtFraudFound(Immutable):
    """A debt notified as ordinary whose indus a fraud file qualified fraud or false declaration
    afterwards (a file opened once the indus had been notified): a fraud debt from then on — no
    remission (L553-2 CSS), the retention uplift (D553-5), five years of prescription from the
    discovery (L553-1). The debt is written once; this row records what was learnt."""

    debt = models.OneToOneField(Debt, on_delete=models.PROTECT, related_name="fraud_found")
    discovered_on = models.DateField("fraude découverte le")
    reason = models.CharField("motif", max_length=300)
    recorded_at = models.DateTimeField("enregistrée le")
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "dette reconnue frauduleuse"


class DebtIndu(Immutable):
    """An indu (rappel/indu row of the rights engine) and the debt that recovers it: an indu
    belongs to one debt at most."""

    debt = models.ForeignKey(Debt, on_delete=models.PROTECT, related_name="indus")
    adjustment = models.OneToOneField(Adjustment, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "indu d'une dette"


class EntryKind(models.TextChoices):
    NOTIFIED = "notified", "Notification de l'indu"
    WAIVED = "waived", "Non recouvré (indu de faible montant)"
    RETAINED = "retained", "Retenue sur prestations"
    REPAID = "repaid", "Remboursement direct"
    REMITTED = "remitted", "Remise de dette (CRA)"
    CANCELLED = "cancelled", "Annulation"
    ERASED = "erased", "Effacement (surendettement)"
    WRITTEN_OFF = "written_off", "Admission en non-valeur"
    TRANSFERRED = "transferred", "Transfert à un autre organisme"
    PRESCRIBED = "prescribed", "Prescription"


MOVEMENTS = [kind for kind in EntryKind.values if kind != EntryKind.NOTIFIED]
# Movements that recover money (the others extinguish the debt without payment).
RECOVERIES = (EntryKind.RETAINED, EntryKind.REPAID)


class MonthlyRetention(Immutable):
    """The one retention of a household's month (D553-4), computed by the payment run with the
    scale (D553-1), and what it withheld: `Withholding` per payment, `DebtEntry` per debt."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    month = models.DateField("mois")
    run = models.ForeignKey(Run, on_delete=models.PROTECT, related_name="+")
    monthly_income = models.DecimalField("revenu mensuel R", null=True, blank=True, **MONEY)
    weighting = models.DecimalField("pondération N", max_digits=4, decimal_places=1)
    weighted_income = models.DecimalField("revenu pondéré R ÷ N", **MONEY)
    deemed = models.BooleanField("revenu pondéré réputé (ressources inconnues)")
    scale_year = models.PositiveSmallIntegerField("barème de l'année")
    computed = models.DecimalField("retenue du barème", **MONEY)
    base = models.DecimalField("retenue appliquée (D553-2)", **MONEY)
    total = models.DecimalField("retenu ce mois", **MONEY)

    class Meta:
        verbose_name = "retenue mensuelle"
        constraints = [
            models.UniqueConstraint(fields=["household", "month"], name="retention_once_a_month"),
            models.CheckConstraint(condition=Q(total__gt=0), name="retention_positive"),
        ]


class Withholding(Immutable):
    """What a retention took from one payment: the net paid is the payment less this."""

    retention = models.ForeignKey(
        MonthlyRetention, on_delete=models.PROTECT, related_name="withholdings"
    )
    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, related_name="withholding")
    amount = models.DecimalField("retenu", **MONEY)

    class Meta:
        verbose_name = "retenue sur un paiement"
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="withholding_pos")]


class DebtEntry(Immutable):
    """One movement of a debt. Balance = notified − Σ movements, never below zero (checked by the
    services under a lock of the debt)."""

    debt = models.ForeignKey(Debt, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField("mouvement", max_length=12, choices=EntryKind.choices)
    amount = models.DecimalField("montant", **MONEY)
    on = models.DateField("date d'effet")
    recorded_at = models.DateTimeField("enregistré le")
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField("motif", max_length=300, blank=True)
    reference = models.CharField("référence (virement, décision)", max_length=100, blank=True)
    retention = models.ForeignKey(
        MonthlyRetention,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
    )

    class Meta:
        verbose_name = "mouvement d'une dette"
        ordering = ["on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="debt_entry_positive"),
            models.CheckConstraint(
                condition=Q(kind__in=EntryKind.values), name="debt_entry_kind_known"
            ),
            models.UniqueConstraint(
                fields=["debt"],
                condition=Q(kind=EntryKind.NOTIFIED),
                name="debt_notified_once",
            ),
            models.CheckConstraint(
                condition=Q(kind=EntryKind.RETAINED, retention__isnull=False)
                | (~Q(kind=EntryKind.RETAINED) & Q(retention__isnull=True)),
                name="debt_entry_retention_iff_retained",
            ),
            models.UniqueConstraint(
                fields=["debt", "retention"], name="debt_entry_one_retention_per_debt"
            ),
        ]
        indexes = [models.Index(fields=["debt", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} € le {self.on:%d/%m/%Y}"


class PlanStatus(models.TextChoices):
    ACTIVE = "active", "En cours"
    COMPLETED = "completed", "Soldé"
    REPLACED = "replaced", "Remplacé"


class RepaymentPlan(models.Model):
    """A direct repayment plan: `months` instalments of `instalment` from `first_due` (the last
    one adjusted to the balance). More than 12 months needs a written agent decision."""

    debt = models.ForeignKey(Debt, on_delete=models.PROTECT, related_name="plans")
    first_due = models.DateField("première échéance")
    months = models.PositiveSmallIntegerField("nombre d'échéances")
    instalment = models.DecimalField("mensualité", **MONEY)
    amount = models.DecimalField("montant du plan", **MONEY)
    decision = models.TextField("décision motivée (plus de 12 mois)", blank=True)
    status = models.CharField(
        "état", max_length=10, choices=PlanStatus.choices, default=PlanStatus.ACTIVE
    )
    created_at = models.DateTimeField("accordé le")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = "plan de remboursement"
        constraints = [
            models.CheckConstraint(condition=Q(months__gte=1), name="plan_months_positive"),
            models.CheckConstraint(condition=Q(instalment__gt=0), name="plan_instalment_pos"),
            models.CheckConstraint(
                condition=Q(status__in=PlanStatus.values), name="plan_status_known"
            ),
            models.UniqueConstraint(
                fields=["debt"], condition=Q(status="active"), name="plan_one_active_per_debt"
            ),
        ]

    def __str__(self) -> str:
        return f"plan de {self.months} échéances de {self.instalment} € ({self.status})"


class Suspension(models.Model):
    """Recovery of a debt suspended while an appeal against it is pending (no retention, no
    contentious step) from `since` until `until` (open while the appeal runs). Written by
    `services.debt_suspend` / `debt_resume` for the appeals domain."""

    debt = models.ForeignKey(Debt, on_delete=models.PROTECT, related_name="suspensions")
    since = models.DateField("suspendue depuis")
    until = models.DateField("reprise le", null=True, blank=True)
    reason = models.CharField("motif", max_length=300)
    reference = models.CharField("référence (recours)", max_length=100, blank=True)

    class Meta:
        verbose_name = "suspension du recouvrement"
        constraints = [
            models.UniqueConstraint(
                fields=["debt"], condition=Q(until__isnull=True), name="suspension_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"suspension depuis le {self.since:%d/%m/%Y}"


class Stage(models.TextChoices):
    FORMAL_NOTICE = "formal_notice", "Mise en demeure"
    CONSTRAINT = "constraint", "Contrainte"
    OPPOSITION = "opposition", "Opposition à contrainte"
    BAILIFF = "bailiff", "Exécution par commissaire de justice"


class ContentiousStep(Immutable):
    """A dated step of the contentious path of a debt; the latest one is its state."""

    debt = models.ForeignKey(Debt, on_delete=models.PROTECT, related_name="contentious_steps")
    stage = models.CharField("étape", max_length=15, choices=Stage.choices)
    on = models.DateField("date")
    next_due = models.DateField("échéance suivante", null=True, blank=True)
    costs = models.DecimalField("frais", default=0, **MONEY)
    note = models.CharField("observation", max_length=300, blank=True)
    recorded_at = models.DateTimeField("enregistré le")
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "étape contentieuse"
        ordering = ["on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(stage__in=Stage.values), name="stage_known"),
            models.UniqueConstraint(fields=["debt", "stage"], name="stage_once_per_debt"),
        ]


class LetterKind(models.TextChoices):
    NOTIFICATION = "notification", "Notification d'indu"
    FORMAL_NOTICE = "formal_notice", "Mise en demeure"


class DebtLetter(Outbound):
    """A letter about debts (notification of indus, formal notice), HTML, sent by e-mail or
    dropped in the print shop's folder by the task queue (`recovery/tasks.py`)."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("nature", max_length=15, choices=LetterKind.choices)
    debts = models.ManyToManyField(Debt, related_name="letters", verbose_name="dettes")
    channel = models.CharField("canal", max_length=5)
    recipient = models.CharField("destinataire", max_length=254, blank=True)
    html = models.TextField("lettre (HTML)")
    created_at = models.DateTimeField("créée le")

    class Meta:
        verbose_name = "lettre de recouvrement"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=LetterKind.values), name="debt_letter_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="debt_letter_status_known"
            ),
        ]
