"""Controls of allocataires: one control file per control (automated, on documents, on site), its
append-only history, the documents asked and received, the on-site visit and its report, the
allocataire's answer, and the outcome with its € impact linked to the facts and Adjustments."""

from django.db import models
from django.db.models import F, Q

from justedroit.channels.models import Document, DocumentKind
from justedroit.core.models import Immutable, User
from justedroit.entitlements.models import Adjustment
from justedroit.registry.models import Commune, Fact, Household

MONEY = {"max_digits": 12, "decimal_places": 2}


class ControlKind(models.TextChoices):
    AUTOMATED = "automated", "Contrôle automatisé (échange de données)"
    DOCUMENTS = "documents", "Contrôle sur pièces"
    ON_SITE = "on_site", "Contrôle sur place"


class ControlOrigin(models.TextChoices):
    EXCHANGE = "exchange", "Écart avec un échange de données"
    TARGETING = "targeting", "Ciblage"
    RANDOM_SAMPLE = "random_sample", "Échantillon aléatoire"
    AGENT = "agent", "Signalement d'un agent"


class ControlStatus(models.TextChoices):
    OPEN = "open", "Ouvert"
    DOCUMENTS_REQUESTED = "documents_requested", "Pièces demandées"
    PAYMENT_SUSPENDED = "payment_suspended", "Paiement suspendu (pièces non reçues)"
    DOCUMENTS_RECEIVED = "documents_received", "Pièces reçues"
    VISIT_SCHEDULED = "visit_scheduled", "Visite programmée"
    VISIT_DONE = "visit_done", "Visite effectuée"
    AWAITING_RESPONSE = "awaiting_response", "Constats notifiés : observations attendues"
    CLOSED = "closed", "Clos"


OPEN_STATUSES = tuple(s for s in ControlStatus.values if s != ControlStatus.CLOSED)


class ControlOutcome(models.TextChoices):
    NO_CHANGE = "no_change", "Sans incidence"
    ARREARS = "rappel", "Rappel"
    OVERPAYMENT = "indu", "Indu"
    SUSPECTED_FRAUD = "suspected_fraud", "Suspicion de fraude (transmis au service fraude)"
    # Automated controls only: the discrepancy needs a person to look at it.
    REFERRED = "referred", "Transmis en contrôle sur pièces"


class Control(models.Model):
    """A control file. Its state (`status`, `controller`, `deadline`, the outcome once closed)
    changes as the control goes; every change is a `ControlEvent`, which never changes."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="controls", verbose_name="foyer"
    )
    kind = models.CharField("nature", max_length=10, choices=ControlKind.choices)
    origin = models.CharField("origine", max_length=14, choices=ControlOrigin.choices)
    status = models.CharField("état", max_length=20, choices=ControlStatus.choices)
    month = models.DateField(
        "mois du cycle", null=True, blank=True, help_text="Contrôle automatisé : mois examiné."
    )
    opened_at = models.DateTimeField("ouvert le", db_index=True)
    deadline = models.DateField("échéance", null=True, blank=True)
    controller = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="contrôleur",
    )
    reason = models.CharField("motif", max_length=300, blank=True)
    suspended_at = models.DateTimeField("paiement suspendu le", null=True, blank=True)
    suspension_lifted_at = models.DateTimeField("suspension levée le", null=True, blank=True)
    closed_at = models.DateTimeField("clos le", null=True, blank=True, db_index=True)
    outcome = models.CharField(
        "résultat", max_length=15, choices=ControlOutcome.choices, blank=True
    )
    arrears = models.DecimalField("rappels", default=0, **MONEY)
    overpayment = models.DecimalField("indus", default=0, **MONEY)
    facts = models.ManyToManyField(
        Fact, through="ControlFact", related_name="+", verbose_name="faits établis"
    )
    adjustments = models.ManyToManyField(
        Adjustment, through="ControlAdjustment", related_name="+", verbose_name="rappels et indus"
    )

    class Meta:
        verbose_name = "contrôle"
        indexes = [
            models.Index(fields=["status", "kind", "deadline"]),
            models.Index(fields=["household", "opened_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ControlKind.values), name="control_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(origin__in=ControlOrigin.values), name="control_origin_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ControlStatus.values), name="control_status_known"
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(outcome__in=ControlOutcome.values),
                name="control_outcome_known",
            ),
            # Closed ⇔ an outcome and a closing date: no control ends without its outcome.
            models.CheckConstraint(
                condition=(
                    Q(status=ControlStatus.CLOSED) & ~Q(outcome="") & Q(closed_at__isnull=False)
                )
                | (~Q(status=ControlStatus.CLOSED) & Q(outcome="") & Q(closed_at__isnull=True)),
                name="control_closed_has_outcome",
            ),
            models.CheckConstraint(
                condition=Q(arrears__gte=0) & Q(overpayment__gte=0), name="control_impact_positive"
            ),
            models.CheckConstraint(
                condition=~Q(outcome=ControlOutcome.REFERRED) | Q(kind=ControlKind.AUTOMATED),
                name="control_only_automated_is_referred",
            ),
            models.CheckConstraint(
                condition=Q(month__isnull=True) | Q(month__day=1), name="control_month_day_1"
            ),
            models.CheckConstraint(
                condition=Q(suspension_lifted_at__isnull=True)
                | Q(suspension_lifted_at__gte=F("suspended_at")),
                name="control_suspension_lifted_after_start",
            ),
            # The automated control of a household for a cycle month happens once: running the
            # month again (after a crash, or twice) finds it and does nothing.
            models.UniqueConstraint(
                fields=["household", "month"],
                condition=Q(kind=ControlKind.AUTOMATED),
                name="control_automated_once_per_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} n° {self.pk} ({self.household_id})"

    @property
    def impact(self):
        """The financial impact: rappels and indus together, in absolute value."""
        return self.arrears + self.overpayment

    @property
    def is_open(self) -> bool:
        return self.status != ControlStatus.CLOSED


class EventKind(models.TextChoices):
    OPENED = "opened", "Ouverture"
    DISCREPANCY = "discrepancy", "Écart constaté avec un échange de données"
    DOCUMENTS_REQUESTED = "documents_requested", "Pièces demandées"
    REMINDER_SENT = "reminder_sent", "Relance envoyée"
    PAYMENT_SUSPENDED = "payment_suspended", "Paiement suspendu"
    DOCUMENT_RECEIVED = "document_received", "Pièce reçue"
    SUSPENSION_LIFTED = "suspension_lifted", "Suspension levée"
    ASSIGNED = "assigned", "Attribution à un contrôleur"
    VISIT_SCHEDULED = "visit_scheduled", "Visite programmée"
    VISIT_REPORTED = "visit_reported", "Rapport de visite"
    FINDINGS_NOTIFIED = "findings_notified", "Constats notifiés à l'allocataire"
    RESPONSE_RECEIVED = "response_received", "Observations de l'allocataire"
    CLOSED = "closed", "Clôture"


class ControlEvent(Immutable):
    """What happened to a control, when, by whom: the control's history, never edited."""

    immutable_message = "L'historique d'un contrôle ne se modifie pas."

    control = models.ForeignKey(
        Control, on_delete=models.PROTECT, related_name="events", verbose_name="contrôle"
    )
    at = models.DateTimeField("date", db_index=True)
    kind = models.CharField("événement", max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="auteur",
        help_text="Vide pour un traitement automatique.",
    )
    note = models.TextField("note", blank=True)
    detail = models.JSONField("détail", default=dict, blank=True)

    class Meta:
        verbose_name = "événement d'un contrôle"
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=EventKind.values), name="control_event_kind_known"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"


class ControlFact(Immutable):
    """A fact the control established (source « contrôle »)."""

    control = models.ForeignKey(Control, on_delete=models.PROTECT)
    fact = models.ForeignKey(Fact, on_delete=models.PROTECT)

    class Meta:
        verbose_name = "fait établi par un contrôle"
        constraints = [
            models.UniqueConstraint(fields=["control", "fact"], name="control_fact_once")
        ]


class ControlAdjustment(Immutable):
    """A rappel or indu the control's recomputation produced."""

    control = models.ForeignKey(Control, on_delete=models.PROTECT)
    adjustment = models.ForeignKey(Adjustment, on_delete=models.PROTECT)

    class Meta:
        verbose_name = "rappel ou indu d'un contrôle"
        constraints = [
            models.UniqueConstraint(
                fields=["control", "adjustment"], name="control_adjustment_once"
            ),
            # An adjustment comes from one control at most.
            models.UniqueConstraint(fields=["adjustment"], name="control_adjustment_one_control"),
        ]


class DocumentRequest(models.Model):
    """The documents asked of the allocataire (art. L583-3 CSS), by a deadline."""

    control = models.ForeignKey(
        Control, on_delete=models.PROTECT, related_name="requests", verbose_name="contrôle"
    )
    documents = models.JSONField("pièces demandées", default=list)
    message = models.TextField("précisions", blank=True)
    sent_at = models.DateTimeField("envoyée le")
    deadline = models.DateField("à fournir avant le")
    reminder_sent_at = models.DateTimeField("relancée le", null=True, blank=True)
    sent_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "demande de pièces"
        ordering = ["-sent_at", "-id"]

    def __str__(self) -> str:
        return f"demande de pièces {self.pk} (avant le {self.deadline:%d/%m/%Y})"

    @property
    def document_labels(self) -> list[str]:
        return [DocumentKind(kind).label for kind in self.documents]


class ReceivedDocument(Immutable):
    """A document received through the channels (portal upload, paper scan) that answers a
    request."""

    request = models.ForeignKey(DocumentRequest, on_delete=models.PROTECT, related_name="received")
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="+")
    linked_at = models.DateTimeField("rattachée le")
    linked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "pièce reçue pour un contrôle"
        constraints = [
            models.UniqueConstraint(fields=["request", "document"], name="received_document_once")
        ]


class ControlArea(models.Model):
    """A territory of on-site control: the communes its sworn controllers cover."""

    name = models.CharField("secteur", max_length=100, unique=True)
    communes = models.ManyToManyField(Commune, related_name="+", verbose_name="communes")

    class Meta:
        verbose_name = "secteur de contrôle"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SwornController(models.Model):
    """A controller approved and sworn (agréé et assermenté, art. L114-10 CSS): the only agents
    who visit allocataires at home and whose reports are authentic until proven otherwise."""

    user = models.OneToOneField(
        User, on_delete=models.PROTECT, related_name="sworn_controller", verbose_name="agent"
    )
    approval_number = models.CharField("numéro d'agrément", max_length=30, unique=True)
    sworn_on = models.DateField("assermenté le")
    areas = models.ManyToManyField(ControlArea, related_name="controllers", verbose_name="secteurs")
    active = models.BooleanField("en activité", default=True)

    class Meta:
        verbose_name = "contrôleur assermenté"

    def __str__(self) -> str:
        return f"{self.user.get_full_name() or self.user.username} ({self.approval_number})"


class Visit(models.Model):
    """An on-site visit, announced to the allocataire."""

    control = models.ForeignKey(
        Control, on_delete=models.PROTECT, related_name="visits", verbose_name="contrôle"
    )
    controller = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    scheduled_for = models.DateTimeField("prévue le")
    place = models.CharField("lieu", max_length=200)
    scheduled_at = models.DateTimeField("programmée le")

    class Meta:
        verbose_name = "visite"
        ordering = ["-scheduled_for"]

    def __str__(self) -> str:
        return f"visite du {self.scheduled_for:%d/%m/%Y %H:%M}"


class Finding(models.TextChoices):
    MATCHES = "matches", "Conforme à la déclaration"
    DIFFERS = "differs", "Différente de la déclaration"
    NOT_VERIFIED = "not_verified", "Non vérifiée"


class VisitReport(Immutable):
    """The report of an on-site visit, structured like the controller's form: for each of
    composition, resources and housing, whether what was found matches what was declared, and
    what was found; then the observations. Never edited: a correction is a new report."""

    immutable_message = "Un rapport de visite ne se modifie pas : rédigez un rapport rectificatif."

    control = models.ForeignKey(
        Control, on_delete=models.PROTECT, related_name="visit_reports", verbose_name="contrôle"
    )
    visited_on = models.DateField("visite du")
    allocataire_present = models.BooleanField("allocataire présent")
    composition = models.CharField("composition du foyer", max_length=12, choices=Finding.choices)
    composition_found = models.TextField("composition constatée", blank=True)
    resources = models.CharField("ressources", max_length=12, choices=Finding.choices)
    resources_found = models.TextField("ressources constatées", blank=True)
    housing = models.CharField("logement", max_length=12, choices=Finding.choices)
    housing_found = models.TextField("logement constaté", blank=True)
    observations = models.TextField("observations")
    recorded_at = models.DateTimeField("rédigé le")
    controller = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "rapport de visite"
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(composition__in=Finding.values)
                & Q(resources__in=Finding.values)
                & Q(housing__in=Finding.values),
                name="visit_report_findings_known",
            )
        ]

    def __str__(self) -> str:
        return f"rapport de visite du {self.visited_on:%d/%m/%Y}"


class ResponseChannel(models.TextChoices):
    PORTAL = "portal", "Espace Mon dossier"
    PAPER = "paper", "Courrier"
    INTERVIEW = "interview", "Entretien"


class ControlResponse(Immutable):
    """The allocataire's observations on the findings (contradictory procedure)."""

    control = models.ForeignKey(
        Control, on_delete=models.PROTECT, related_name="responses", verbose_name="contrôle"
    )
    received_at = models.DateTimeField("reçues le")
    channel = models.CharField("canal", max_length=9, choices=ResponseChannel.choices)
    text = models.TextField("observations")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        verbose_name = "observations de l'allocataire"
        ordering = ["received_at", "id"]


# ---- targeting of document and on-site controls (docs/ciblage.md) ----------------------------


class RandomSample(models.Model):
    """The year's random control sample: households drawn with a recorded seed among those
    covered on the reference day, each given a control of origin « échantillon aléatoire ». Their
    outcomes are labels free of selection bias, to train the targeting model and to audit it."""

    year = models.PositiveSmallIntegerField("année", unique=True)
    kind = models.CharField("nature des contrôles", max_length=10, choices=ControlKind.choices)
    seed = models.BigIntegerField("graine du tirage")
    reference_day = models.DateField("population au")
    population = models.PositiveIntegerField("foyers tirables")
    drawn_at = models.DateTimeField("tiré le")
    drawn_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    controls = models.ManyToManyField(Control, related_name="samples", verbose_name="contrôles")

    class Meta:
        verbose_name = "échantillon aléatoire de contrôle"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[ControlKind.DOCUMENTS, ControlKind.ON_SITE]),
                name="random_sample_kind_targetable",
            )
        ]

    def __str__(self) -> str:
        return f"échantillon aléatoire {self.year}"


class TargetingModel(Immutable):
    """One trained version of the targeting model: a logistic regression whose variables and
    coefficients are published to every agent. Never edited: retraining makes a new version."""

    immutable_message = (
        "Une version du modèle de ciblage ne se modifie pas : entraînez-en une autre."
    )

    trained_at = models.DateTimeField("entraîné le")
    trained_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sample = models.ForeignKey(
        RandomSample, on_delete=models.PROTECT, related_name="models", verbose_name="échantillon"
    )
    features = models.JSONField("variables")
    intercept = models.DecimalField("constante", max_digits=14, decimal_places=8)
    coefficients = models.JSONField("coefficients")
    standard_errors = models.JSONField("écarts-types")
    training_size = models.PositiveIntegerField("taille de l'échantillon d'entraînement")
    positives = models.PositiveIntegerField("indus importants dans l'échantillon")
    penalty = models.DecimalField("pénalité (ridge)", max_digits=8, decimal_places=4)

    class Meta:
        verbose_name = "version du modèle de ciblage"
        ordering = ["-trained_at", "-id"]

    def __str__(self) -> str:
        return f"modèle de ciblage v{self.pk} ({self.sample.year})"


class TargetingScore(Immutable):
    """A household's score by one model version, with the variables' values it was computed
    from (the per-file explanation). Advice only, kept for a limited time (docs/conservation.md)."""

    immutable_message = "Un score de ciblage ne se modifie pas."

    model = models.ForeignKey(TargetingModel, on_delete=models.PROTECT, related_name="scores")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    computed_at = models.DateTimeField("calculé le", db_index=True)
    as_of = models.DateTimeField("faits connus au")
    values = models.JSONField("valeurs des variables")
    score = models.DecimalField(
        "probabilité estimée d'un indu important", max_digits=9, decimal_places=8
    )

    class Meta:
        verbose_name = "score de ciblage"
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "household", "as_of"], name="targeting_score_once"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=1), name="targeting_score_probability"
            ),
        ]
        indexes = [models.Index(fields=["model", "as_of", "score"])]

    def __str__(self) -> str:
        return f"score {self.score:.3f} ({self.household_id})"


class TargetingDecisionKind(models.TextChoices):
    SELECTED = "selected", "Retenu pour un contrôle"
    SET_ASIDE = "set_aside", "Écarté"


class TargetingDecision(Immutable):
    """What a person decided on a scored household: a control opened (with the score and each
    variable's contribution copied, the file's explanation) or set aside with a reason. The score
    only advises; this row and the audit trail record who decided."""

    immutable_message = "Une décision de ciblage ne se modifie pas."

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    model = models.ForeignKey(TargetingModel, on_delete=models.PROTECT, related_name="decisions")
    score = models.DecimalField("score", max_digits=9, decimal_places=8)
    scored_as_of = models.DateTimeField("faits connus au")
    values = models.JSONField("valeurs des variables")
    decision = models.CharField("décision", max_length=9, choices=TargetingDecisionKind.choices)
    control = models.OneToOneField(
        Control,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="targeting",
        verbose_name="contrôle ouvert",
    )
    reason = models.CharField("motif", max_length=300, blank=True)
    decided_at = models.DateTimeField("décidé le", db_index=True)
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "décision de ciblage"
        ordering = ["-decided_at", "-id"]
        constraints = [
            # One decision per score: the list shows each scored household until decided.
            models.UniqueConstraint(
                fields=["model", "household", "scored_as_of"], name="targeting_decision_once"
            ),
            models.CheckConstraint(
                condition=(Q(decision=TargetingDecisionKind.SELECTED) & Q(control__isnull=False))
                | (
                    Q(decision=TargetingDecisionKind.SET_ASIDE)
                    & Q(control__isnull=True)
                    & ~Q(reason="")
                ),
                name="targeting_decision_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} ({self.household_id})"
