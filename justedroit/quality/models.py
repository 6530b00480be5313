"""Quality of case processing: teams of agents, verification sampling plans, the sample they
drew (each act with its inclusion probability) and the reviews of the sampled acts.

The acts themselves are `registry.ProcessingAct` (see its docstring for why they live there)."""

from django.db import models
from django.db.models import F, Q

from justedroit.core.models import Immutable, User
from justedroit.registry.models import ProcessingAct

MONEY = {"max_digits": 12, "decimal_places": 2}
PROBABILITY = {"max_digits": 13, "decimal_places": 12}


class Team(models.Model):
    name = models.CharField("nom", max_length=80, unique=True)

    class Meta:
        verbose_name = "équipe"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    """An agent belongs to a team from `start_date` until `end_date` (exclusive)."""

    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="memberships")
    agent = models.ForeignKey(User, on_delete=models.PROTECT, related_name="team_memberships")
    start_date = models.DateField("arrivée")
    end_date = models.DateField("départ", null=True, blank=True)

    class Meta:
        verbose_name = "appartenance à une équipe"
        constraints = [
            models.UniqueConstraint(
                fields=["agent", "start_date"], name="team_membership_one_start"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gt=F("start_date")),
                name="team_membership_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent_id} in {self.team_id}"


class Method(models.TextChoices):
    SIMPLE = "simple", "Aléatoire simple"
    STRATIFIED = "stratified", "Stratifié (allocation de Neyman)"
    PPS = "pps", "Proportionnel au montant"
    DISCOVERY = "discovery", "Échantillon de découverte"


class Stratum(models.TextChoices):
    BENEFIT = "benefit", "Prestation"
    TEAM = "team", "Équipe"
    RISK = "risk", "Risque (règles de datamining métier)"


class SamplingPlan(Immutable):
    """A verification plan and its draw, written once: the population (acts of the period), the
    design, the size and how it was computed, and the seed that makes the draw reproducible."""

    immutable_message = "Un plan de vérification tiré ne se modifie pas : tirez-en un autre."

    name = models.CharField("libellé", max_length=120)
    period_start = models.DateField("actes du")
    period_end = models.DateField("au (exclu)")
    method = models.CharField("méthode", max_length=10, choices=Method.choices)
    stratify_by = models.CharField("strates", max_length=10, choices=Stratum.choices, blank=True)
    confidence = models.DecimalField("confiance", max_digits=4, decimal_places=3)
    expected_rate = models.DecimalField("taux attendu", max_digits=4, decimal_places=3)
    margin = models.DecimalField("précision (±)", max_digits=4, decimal_places=3)
    population = models.PositiveIntegerField("actes de la période")
    size = models.PositiveIntegerField("taille de l'échantillon")
    seed = models.BigIntegerField("graine du tirage")
    agent = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="agent supervisé",
        help_text="Supervision : le plan ne tire que les actes de cet agent ; vide : vérification.",
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("tiré le")

    class Meta:
        verbose_name = "plan de vérification"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(method__in=Method.values), name="sampling_plan_method_known"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gt=F("period_start")), name="sampling_plan_period"
            ),
            models.CheckConstraint(
                condition=Q(size__lte=F("population")), name="sampling_plan_size_in_population"
            ),
            models.CheckConstraint(
                condition=Q(method="stratified", stratify_by__in=Stratum.values)
                | (~Q(method="stratified") & Q(stratify_by="")),
                name="sampling_plan_strata_iff_stratified",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_method_display().lower()}, n = {self.size})"


class SampleItem(Immutable):
    """An act drawn by a plan, with its stratum and its inclusion probability, and its size
    measure (€ at stake) and the stratum's population at the draw: what the estimators need."""

    immutable_message = SamplingPlan.immutable_message

    plan = models.ForeignKey(SamplingPlan, on_delete=models.PROTECT, related_name="items")
    act = models.ForeignKey(ProcessingAct, on_delete=models.PROTECT, related_name="+")
    stratum = models.CharField("strate", max_length=80, blank=True)
    probability = models.DecimalField("probabilité d'inclusion", **PROBABILITY)
    fraction = models.DecimalField(
        "taux de sondage de la strate",
        **PROBABILITY,
        help_text="0 sous un tirage à probabilités inégales.",
    )
    amount = models.DecimalField("montant en jeu", **MONEY)

    class Meta:
        verbose_name = "acte tiré"
        constraints = [
            models.UniqueConstraint(fields=["plan", "act"], name="sample_item_once"),
            models.CheckConstraint(
                condition=Q(probability__gt=0) & Q(probability__lte=1),
                name="sample_item_probability",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}: act {self.act_id}"


class ErrorNature(models.TextChoices):
    WRONG_AMOUNT = "wrong_amount", "Montant erroné"
    WRONG_DATE = "wrong_date", "Date d'effet erronée"
    MISSED_RESOURCE = "missed_resource", "Ressource oubliée"
    WRONG_PERSON = "wrong_person", "Mauvaise personne ou mauvaise situation"
    PROCEDURE = "procedure", "Procédure non respectée (sans incidence financière)"
    OTHER = "other", "Autre"


class ErrorOrigin(models.TextChoices):
    CLAIMANT = "claimant", "Allocataire"
    AGENT = "agent", "Agent"
    SYSTEM = "system", "Système"


class Review(Immutable):
    """A verifier's (or a manager's) review of a sampled act: in error or not, the typology, the
    € impact, and what the engine recomputed with the corrected facts."""

    immutable_message = "Une vérification enregistrée ne se modifie pas."

    item = models.OneToOneField(SampleItem, on_delete=models.PROTECT, related_name="review")
    reviewer = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField("vérifié le")
    in_error = models.BooleanField("en erreur")
    nature = models.CharField("nature", max_length=16, choices=ErrorNature.choices, blank=True)
    origin = models.CharField("origine", max_length=10, choices=ErrorOrigin.choices, blank=True)
    financial = models.BooleanField("incidence financière", default=False)
    impact = models.DecimalField("incidence (€, valeur absolue)", **MONEY, default=0)
    recomputed = models.JSONField("recalcul du moteur", default=dict, blank=True)
    note = models.CharField("observation", max_length=500, blank=True)

    class Meta:
        verbose_name = "vérification"
        constraints = [
            models.CheckConstraint(condition=Q(impact__gte=0), name="review_impact_positive"),
            models.CheckConstraint(
                condition=Q(in_error=False, nature="", origin="", financial=False, impact=0)
                | (Q(in_error=True) & ~Q(nature="") & ~Q(origin="")),
                name="review_typology_iff_error",
            ),
            models.CheckConstraint(
                condition=Q(financial=True) | Q(impact=0), name="review_impact_only_if_financial"
            ),
        ]

    def __str__(self) -> str:
        return f"review of {self.item_id}"


class ProcessKind(models.TextChoices):
    MANAGEMENT = "management", "Processus de management"
    OPERATIONAL = "operational", "Processus opérationnel"
    SUPPORT = "support", "Processus support"


class Process(models.Model):
    """A process of the Caf's integrated quality approach (DQI, V2 from 1 January 2023): what it
    takes in and gives out, its local pilot (responsible for its performance), its risks with
    their controls, the live indicators that measure it and its action plans."""

    code = models.SlugField("code", max_length=40, unique=True)
    name = models.CharField("processus", max_length=120)
    kind = models.CharField("famille", max_length=12, choices=ProcessKind.choices)
    purpose = models.CharField("finalité", max_length=300)
    inputs = models.JSONField("éléments d'entrée", default=list)
    outputs = models.JSONField("éléments de sortie", default=list)
    pilot = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="piloted_processes",
        verbose_name="pilote",
    )
    order = models.PositiveSmallIntegerField("rang", default=0)

    class Meta:
        verbose_name = "processus"
        verbose_name_plural = "processus"
        ordering = ["order", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ProcessKind.values), name="quality_process_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProcessRisk(models.Model):
    """A risk of the process and the control (maîtrise) that covers it."""

    process = models.ForeignKey(Process, on_delete=models.PROTECT, related_name="risks")
    risk = models.CharField("risque", max_length=300)
    control = models.CharField("dispositif de maîtrise", max_length=300)

    class Meta:
        verbose_name = "risque du processus"
        ordering = ["process", "id"]

    def __str__(self) -> str:
        return self.risk


class Direction(models.TextChoices):
    UP = "up", "À la hausse"
    DOWN = "down", "À la baisse"


class ProcessIndicator(models.Model):
    """A live indicator of the registry (`justedroit indicators`) bound to a process by its code,
    with the direction in which it improves and, when one is set, its target and the target's
    source."""

    process = models.ForeignKey(Process, on_delete=models.PROTECT, related_name="indicators")
    code = models.CharField("code de l'indicateur", max_length=60)
    direction = models.CharField("sens d'amélioration", max_length=4, choices=Direction.choices)
    target = models.DecimalField("cible", max_digits=14, decimal_places=2, null=True, blank=True)
    target_source = models.CharField("source de la cible", max_length=200, blank=True)

    class Meta:
        verbose_name = "indicateur du processus"
        ordering = ["process", "id"]
        constraints = [
            models.UniqueConstraint(fields=["process", "code"], name="quality_indicator_once"),
            models.CheckConstraint(
                condition=Q(direction__in=Direction.values), name="quality_direction_known"
            ),
            models.CheckConstraint(
                condition=Q(target__isnull=True) | ~Q(target_source=""),
                name="quality_target_has_source",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class TargetChange(Immutable):
    """A target set or cleared on a process's indicator, with the one it replaced, by whom and
    when: the target's history, written once (the binding keeps only the current target)."""

    immutable_message = "L'historique des cibles ne se modifie pas."

    indicator = models.ForeignKey(
        ProcessIndicator, on_delete=models.PROTECT, related_name="target_changes"
    )
    target = models.DecimalField("cible", max_digits=14, decimal_places=2, null=True, blank=True)
    target_source = models.CharField("source de la cible", max_length=200, blank=True)
    previous_target = models.DecimalField(
        "cible précédente", max_digits=14, decimal_places=2, null=True, blank=True
    )
    previous_source = models.CharField("source précédente", max_length=200, blank=True)
    changed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField("modifiée le")

    class Meta:
        verbose_name = "changement de cible"
        ordering = ["-changed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target__isnull=True) | ~Q(target_source=""),
                name="quality_target_change_has_source",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}: {self.previous_target} → {self.target}"


class ActionKind(models.TextChoices):
    TRAINING = "training", "Formation"
    PROCEDURE = "procedure", "Procédure écrite"
    CIRCLE = "circle", "Cercle qualité sur des dossiers concrets"
    SUPPORT = "support", "Accompagnement individuel"
    IMPROVEMENT = "improvement", "Plan d'action du processus"


class QualityAction(models.Model):
    """An action decided on the results of verification or supervision, with its owner, its due
    date and its closure; aimed at an agent, a team or everyone; or an action plan of a DQI
    process."""

    kind = models.CharField("nature", max_length=12, choices=ActionKind.choices)
    title = models.CharField("intitulé", max_length=200)
    agent = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="agent concerné",
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name="équipe concernée",
    )
    process = models.ForeignKey(
        Process,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name="processus",
    )
    owner = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name="responsable"
    )
    due_date = models.DateField("échéance")
    opened_at = models.DateTimeField("ouverte le")
    opened_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField("close le", null=True, blank=True)
    closing_note = models.CharField("bilan", max_length=500, blank=True)

    class Meta:
        verbose_name = "action qualité"
        ordering = ["closed_at", "due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ActionKind.values), name="quality_action_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | ~Q(closing_note=""),
                name="quality_action_closed_has_note",
            ),
        ]

    def __str__(self) -> str:
        return self.title
