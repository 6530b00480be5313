"""Fraud files: opened from a control whose outcome is a suspected fraud or from a report, with
the facts established, the fraudulent period and the indus the engine computed for it; the
elements of intent with their evidence; the qualification decided by a named person; the
sanction procedure and its deadlines; the complaint to the prosecutor; the prevention letters."""

from decimal import Decimal

from django.db import models
from django.db.models import F, Q

from justedroit.channels.models import Document
from justedroit.controls.models import Control
from justedroit.core.models import Immutable, User
from justedroit.core.sending import DeliveryStatus, Outbound
from justedroit.cycle.models import LetterChannel
from justedroit.entitlements.models import Adjustment
from justedroit.fraud import pmss as legal
from justedroit.registry.models import Household

MONEY = {"max_digits": 12, "decimal_places": 2}


class FraudOrigin(models.TextChoices):
    CONTROL = "control", "Contrôle concluant à une suspicion de fraude"
    REPORT = "report", "Signalement (agent, partenaire, tiers)"


class FraudStatus(models.TextChoices):
    INVESTIGATION = "investigation", "Instruction"
    QUALIFIED = "qualified", "Qualifié : avis de sanction à notifier"
    NOTIFIED = "notified", "Avis notifié : observations attendues"
    COMMISSION = "commission", "Commission des pénalités saisie : avis attendu"
    DECISION = "decision", "Décision du directeur attendue"
    PAYMENT = "payment", "Pénalité notifiée : paiement attendu"
    CLOSED = "closed", "Clos"


OPEN_STATUSES = tuple(s for s in FraudStatus.values if s != FraudStatus.CLOSED)


class Qualification(models.TextChoices):
    GOOD_FAITH = "good_faith", "Erreur de bonne foi"
    FAULT = "fault", "Faute (déclaration inexacte ou incomplète, sans intention de frauder)"
    FRAUD = "fraud", "Fraude (intention de frauder établie)"


# « Fraude ou fausse déclaration » (L553-1, L553-2 CSS): how its indus are recovered changes.
FRAUD_OR_FALSE_DECLARATION = (Qualification.FRAUD, Qualification.FAULT)


class FraudOutcome(models.TextChoices):
    RIGHT_TO_ERROR = "right_to_error", "Sans sanction : droit à l'erreur (L123-1 CRPA)"
    NO_SANCTION = "no_sanction", "Sans sanction (décision du directeur)"
    WARNING = "warning", "Avertissement"
    PENALTY_PAID = "penalty_paid", "Pénalité réglée"
    PENALTY_DEBT = "penalty_debt", "Pénalité impayée : recouvrée comme une dette (L114-17 CSS)"
    LAPSED = "lapsed", "Procédure caduque (décision hors délai)"


class FraudFile(models.Model):
    """A fraud file. Its state changes as the procedure goes; every change is a `FraudEvent`,
    the qualification a `FraudQualification` and the sanction a `FraudSanction`, which never
    change."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="fraud_files", verbose_name="foyer"
    )
    origin = models.CharField("origine", max_length=8, choices=FraudOrigin.choices)
    control = models.OneToOneField(
        Control,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fraud_file",
        verbose_name="contrôle d'origine",
    )
    report = models.TextField("signalement", blank=True)
    facts = models.TextField("faits établis")
    first_month = models.DateField("période frauduleuse : du mois")
    last_month = models.DateField("au mois")
    opened_at = models.DateTimeField("ouvert le", db_index=True)
    opened_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    status = models.CharField("état", max_length=13, choices=FraudStatus.choices)
    due = models.DateField("échéance", null=True, blank=True, db_index=True)
    prejudice = models.DecimalField("préjudice (indus de la période)", default=0, **MONEY)
    qualification = models.CharField(
        "qualification", max_length=10, choices=Qualification.choices, blank=True
    )
    qualified_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="qualifié par",
    )
    complaint_mandatory = models.BooleanField("plainte obligatoire (D114-5)", default=False)
    proposed_amount = models.DecimalField("pénalité envisagée", null=True, blank=True, **MONEY)
    closed_at = models.DateTimeField("clos le", null=True, blank=True)
    outcome = models.CharField("issue", max_length=14, choices=FraudOutcome.choices, blank=True)
    adjustments = models.ManyToManyField(
        Adjustment, through="FraudAdjustment", related_name="+", verbose_name="indus"
    )

    class Meta:
        verbose_name = "dossier de fraude"
        indexes = [models.Index(fields=["household", "opened_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(origin__in=FraudOrigin.values), name="fraud_origin_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=FraudStatus.values), name="fraud_status_known"
            ),
            models.CheckConstraint(
                condition=Q(origin=FraudOrigin.CONTROL, control__isnull=False)
                | Q(origin=FraudOrigin.REPORT, control__isnull=True),
                name="fraud_origin_control",
            ),
            models.CheckConstraint(
                condition=Q(first_month__day=1)
                & Q(last_month__day=1)
                & Q(last_month__gte=F("first_month")),
                name="fraud_period_months",
            ),
            models.CheckConstraint(condition=Q(prejudice__gte=0), name="fraud_prejudice_positive"),
            # Nothing is qualified without a named person's decision.
            models.CheckConstraint(
                condition=Q(qualification="", qualified_by__isnull=True)
                | (Q(qualification__in=Qualification.values) & Q(qualified_by__isnull=False)),
                name="fraud_qualified_by_a_person",
            ),
            models.CheckConstraint(
                condition=Q(status=FraudStatus.INVESTIGATION) | ~Q(qualification=""),
                name="fraud_qualified_before_procedure",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status=FraudStatus.CLOSED) & ~Q(outcome="") & Q(closed_at__isnull=False)
                )
                | (~Q(status=FraudStatus.CLOSED) & Q(outcome="") & Q(closed_at__isnull=True)),
                name="fraud_closed_has_outcome",
            ),
            models.CheckConstraint(
                condition=~Q(outcome=FraudOutcome.RIGHT_TO_ERROR)
                | Q(qualification=Qualification.GOOD_FAITH),
                name="fraud_right_to_error_only_good_faith",
            ),
        ]

    def __str__(self) -> str:
        return f"dossier de fraude n° {self.pk} ({self.household_id})"

    @property
    def is_open(self) -> bool:
        return self.status != FraudStatus.CLOSED


class FileDeclined(Immutable):
    """The fraud team's decision, reasoned, not to open a file on a control closed on a suspected
    fraud (intent not shown, prejudice too small to pursue…). The control leaves the team's list
    and its indus stop waiting for a qualification: the next cycle notifies them as ordinary
    debts. New elements later open a file on a report, for the household."""

    control = models.OneToOneField(
        Control,
        on_delete=models.PROTECT,
        related_name="fraud_file_declined",
        verbose_name="contrôle",
    )
    decided_at = models.DateTimeField("décidé le")
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField("motif")

    class Meta:
        verbose_name = "décision de ne pas ouvrir de dossier de fraude"
        verbose_name_plural = "décisions de ne pas ouvrir de dossier de fraude"
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="fraud_declined_reason_given")
        ]


class FraudEventKind(models.TextChoices):
    OPENED = "opened", "Ouverture"
    INTENT = "intent", "Élément intentionnel instruit"
    QUALIFIED = "qualified", "Qualification"
    NOTICE = "notice", "Avis des faits et de la pénalité envisagée notifié"
    OBSERVATIONS = "observations", "Observations de l'allocataire"
    HEARING = "hearing", "Audition demandée"
    COMMISSION = "commission", "Commission des pénalités saisie"
    OPINION = "opinion", "Avis de la commission"
    OPINION_DEEMED = "opinion_deemed", "Avis de la commission réputé rendu"
    DECIDED = "decided", "Décision du directeur"
    PAID = "paid", "Pénalité réglée"
    RECOVERY = "recovery", "Pénalité impayée transmise au recouvrement"
    LAPSED = "lapsed", "Procédure caduque"
    CLOSED = "closed", "Clôture"
    COMPLAINT = "complaint", "Plainte déposée"
    COMPLAINT_FOLLOW_UP = "complaint_follow_up", "Suite de la plainte"


class FraudEvent(Immutable):
    """What happened to a fraud file, when, by whom: never edited."""

    immutable_message = "L'historique d'un dossier de fraude ne se modifie pas."

    file = models.ForeignKey(FraudFile, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField("date", db_index=True)
    kind = models.CharField("événement", max_length=20, choices=FraudEventKind.choices)
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField("note", blank=True)
    detail = models.JSONField("détail", default=dict, blank=True)

    class Meta:
        verbose_name = "événement d'un dossier de fraude"
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=FraudEventKind.values), name="fraud_event_kind_known"
            )
        ]


class FraudAdjustment(Immutable):
    """An indu of the fraudulent period, computed by the engine, that the file is about."""

    file = models.ForeignKey(FraudFile, on_delete=models.PROTECT)
    adjustment = models.ForeignKey(Adjustment, on_delete=models.PROTECT)

    class Meta:
        verbose_name = "indu d'un dossier de fraude"
        constraints = [
            models.UniqueConstraint(fields=["file", "adjustment"], name="fraud_adjustment_once"),
            models.UniqueConstraint(fields=["adjustment"], name="fraud_adjustment_one_file"),
        ]


class IntentElement(models.TextChoices):
    FALSE_DECLARATION = "false_declaration", "Fausse déclaration"
    DELIBERATE_OMISSION = "deliberate_omission", "Omission délibérée d'un changement connu"
    FORGED_DOCUMENT = "forged_document", "Document falsifié ou fabriqué"
    REPEATED = "repeated", "Réitération malgré une information ou une mise en garde"
    CONCEALMENT = "concealment", "Manœuvres de dissimulation (adresse, identité, comptes)"
    ORGANISED = "organised", "Fraude organisée à plusieurs (bande organisée)"


class IntentFinding(Immutable):
    """One line of the intent checklist, with its evidence; the latest per element counts."""

    file = models.ForeignKey(FraudFile, on_delete=models.PROTECT, related_name="intent")
    element = models.CharField("élément", max_length=20, choices=IntentElement.choices)
    established = models.BooleanField("établi")
    evidence = models.TextField("preuve ou motif")
    document = models.ForeignKey(
        Document,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="pièce à l'appui",
    )
    recorded_at = models.DateTimeField("instruit le")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "élément intentionnel"
        ordering = ["recorded_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(element__in=IntentElement.values), name="fraud_intent_element_known"
            ),
            models.CheckConstraint(condition=~Q(evidence=""), name="fraud_intent_has_evidence"),
        ]


class FraudQualification(Immutable):
    """The qualification decided by a named person, with the history it relied on."""

    file = models.ForeignKey(FraudFile, on_delete=models.PROTECT, related_name="qualifications")
    qualification = models.CharField(max_length=10, choices=Qualification.choices)
    organised = models.BooleanField("bande organisée", default=False)
    regularised = models.BooleanField("situation régularisée", default=False)
    first_error = models.BooleanField("première erreur (historique du foyer)")
    reasons = models.TextField("motifs")
    decided_at = models.DateTimeField("décidée le")
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "qualification d'un dossier de fraude"
        ordering = ["decided_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(qualification__in=Qualification.values),
                name="fraud_qualification_known",
            ),
            models.CheckConstraint(
                condition=~Q(organised=True) | Q(qualification=Qualification.FRAUD),
                name="fraud_organised_is_fraud",
            ),
            models.CheckConstraint(condition=~Q(reasons=""), name="fraud_qualification_reasons"),
        ]


class SanctionKind(models.TextChoices):
    WARNING = "warning", "Avertissement"
    PENALTY = "penalty", "Pénalité administrative"


class FraudSanction(Immutable):
    """The sanction the director pronounced, with the legal bounds of its year it was checked
    against: the PMSS used, the floor and the ceiling (as a multiple of the PMSS). The database
    refuses a penalty outside them, or a PMSS that is not its year's."""

    immutable_message = "Une décision de sanction ne se modifie pas."

    file = models.OneToOneField(FraudFile, on_delete=models.PROTECT, related_name="sanction")
    kind = models.CharField("sanction", max_length=7, choices=SanctionKind.choices)
    amount = models.DecimalField("montant", **MONEY)
    year = models.PositiveSmallIntegerField("année du plafond")
    pmss = models.DecimalField("PMSS de l'année", **MONEY)
    floor = models.DecimalField("minimum légal", **MONEY)
    ceiling_multiple = models.PositiveSmallIntegerField("plafond légal (× PMSS)")
    ceiling = models.DecimalField("maximum légal", **MONEY)
    article = models.CharField("base légale", max_length=100)
    reasons = models.TextField("motifs")
    decided_at = models.DateTimeField("décidée le")
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    payment_due = models.DateField("à régler avant le", null=True, blank=True)

    class Meta:
        verbose_name = "sanction"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=SanctionKind.values), name="fraud_sanction_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(
                    *[Q(year=year, pmss=p.amount) for year, p in legal.PMSS.items()],
                    _connector=Q.OR,
                ),
                name="fraud_sanction_pmss_of_its_year",
            ),
            models.CheckConstraint(
                condition=Q(ceiling_multiple__in=legal.CEILING_MULTIPLES)
                & Q(ceiling=F("pmss") * F("ceiling_multiple")),
                name="fraud_sanction_ceiling_legal",
            ),
            # The floor is nil, or 1/30 of the PMSS rounded to the cent.
            models.CheckConstraint(
                condition=Q(floor=0)
                | (
                    Q(pmss__gte=F("floor") * legal.FLOOR_INTENT_DIVISOR - Decimal("0.15"))
                    & Q(pmss__lte=F("floor") * legal.FLOOR_INTENT_DIVISOR + Decimal("0.15"))
                ),
                name="fraud_sanction_floor_legal",
            ),
            models.CheckConstraint(
                condition=(Q(kind=SanctionKind.WARNING) & Q(amount=0))
                | (
                    Q(kind=SanctionKind.PENALTY)
                    & Q(amount__gt=0)
                    & Q(amount__gte=F("floor"))
                    & Q(amount__lte=F("ceiling"))
                ),
                name="fraud_sanction_within_bounds",
            ),
        ]


class ObservationChannel(models.TextChoices):
    PORTAL = "portal", "Espace Mon dossier"
    PAPER = "paper", "Courrier"
    HEARING = "hearing", "Audition"


class FraudObservation(Immutable):
    """The allocataire's observations on the notice, or their request to be heard."""

    file = models.ForeignKey(FraudFile, on_delete=models.PROTECT, related_name="observations")
    received_at = models.DateTimeField("reçues le")
    channel = models.CharField("canal", max_length=7, choices=ObservationChannel.choices)
    text = models.TextField("observations")
    hearing_requested = models.BooleanField("demande à être entendu(e)", default=False)
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "observations sur un avis de sanction"
        ordering = ["received_at", "id"]


class ComplaintStatus(models.TextChoices):
    FILED = "filed", "Déposée"
    INVESTIGATION = "investigation", "Enquête en cours"
    DISMISSED = "dismissed", "Classée sans suite"
    PROSECUTED = "prosecuted", "Poursuites engagées"
    CONVICTED = "convicted", "Condamnation"
    ACQUITTED = "acquitted", "Relaxe"
    ALTERNATIVE = "alternative", "Alternative aux poursuites"


FINAL_COMPLAINT_STATUSES = (
    ComplaintStatus.DISMISSED,
    ComplaintStatus.CONVICTED,
    ComplaintStatus.ACQUITTED,
    ComplaintStatus.ALTERNATIVE,
)


class Complaint(models.Model):
    """The complaint to the public prosecutor, with civil-party claim (art. L114-9, D114-5 CSS):
    mandatory from 8 PMSS of prejudice, optional below. Its follow-up changes `status`; every
    change is a `FraudEvent`."""

    file = models.OneToOneField(FraudFile, on_delete=models.PROTECT, related_name="complaint")
    filed_on = models.DateField("déposée le")
    court = models.CharField("parquet", max_length=150)
    reference = models.CharField("référence", max_length=60, blank=True)
    mandatory = models.BooleanField("obligatoire (D114-5)")
    civil_party = models.BooleanField("constitution de partie civile", default=True)
    status = models.CharField("suite", max_length=13, choices=ComplaintStatus.choices)
    updated_at = models.DateTimeField("mise à jour le")

    class Meta:
        verbose_name = "plainte"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ComplaintStatus.values), name="fraud_complaint_status_known"
            )
        ]

    def __str__(self) -> str:
        return f"plainte du {self.filed_on:%d/%m/%Y} ({self.get_status_display()})"


class PreventionRule(models.TextChoices):
    """The rules that name the households a lettre de mise en garde goes to, in the order the
    Caf writes within its capacity (docs/fraude.md gives each its source)."""

    NEW_JOB_ON_RSA = "new_job_on_rsa", "Nouvel emploi connu d'un partenaire, bénéficiaire du RSA"
    LATE_AFTER_INDU = (
        "late_after_indu",
        "Déclaration tardive après un indu des contrôles automatisés",
    )
    BELOW_REFERRAL = (
        "below_referral",
        "Ressources déclarées contredites par un partenaire, sous le seuil de renvoi",
    )


class PreventionLetter(Outbound):
    """A lettre de mise en garde: sent in batch to a household whose situation makes an error
    likely (a documented rule), by the task queue (`fraud/tasks.py`)."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    month = models.DateField("mois examiné")
    rule = models.CharField("règle", max_length=20, choices=PreventionRule.choices)
    channel = models.CharField("canal", max_length=5, choices=LetterChannel.choices)
    recipient = models.CharField("destinataire", max_length=254, blank=True)
    text = models.TextField("texte")
    created_at = models.DateTimeField("créée le", db_index=True)

    class Meta:
        verbose_name = "lettre de mise en garde"
        constraints = [
            models.UniqueConstraint(
                fields=["household", "rule", "month"], name="prevention_letter_once"
            ),
            models.CheckConstraint(
                condition=Q(rule__in=PreventionRule.values), name="prevention_rule_known"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=LetterChannel.values), name="prevention_channel_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="prevention_status_known"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="prevention_month_day_1"),
        ]
