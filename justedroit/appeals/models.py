"""The commission de recours amiable (CRA) and the courts: a case per claim received, its
instruction by a rapporteur, the commission's sessions (members, attendance, agenda, votes) and
decisions, and the court cases that follow. Histories, votes and decisions never change. See
docs/recours.md."""

from django.db import models
from django.db.models import Q

from justedroit.core.models import Immutable, User
from justedroit.recovery.models import Debt, DebtEntry
from justedroit.registry.models import Benefit, Household

MONEY = {"max_digits": 12, "decimal_places": 2}


class Channel(models.TextChoices):
    PORTAL = "portal", "Formulaire de l'espace allocataire"
    EMAIL = "email", "Courriel"
    PAPER = "paper", "Courrier papier"


class RequestKind(models.TextChoices):
    REMISSION = "remission", "Demande de remise de dette"
    CONTEST_RIGHT = "contest_right", "Contestation d'un droit"
    CONTEST_INDU = "contest_indu", "Contestation d'un indu"


class CaseStatus(models.TextChoices):
    RECEIVED = "received", "Reçue, à instruire"
    DOCUMENTS = "documents", "Pièces demandées"
    READY = "ready", "Instruite, à inscrire en séance"
    ON_AGENDA = "on_agenda", "Inscrite à l'ordre du jour"
    DECIDED = "decided", "Décidée"
    INADMISSIBLE = "inadmissible", "Irrecevable (hors délai)"


class AppealCase(models.Model):
    """A claim to the CRA. Its status moves with the procedure; each move is a `CaseEvent`."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="appeal_cases", verbose_name="foyer"
    )
    kind = models.CharField("nature", max_length=13, choices=RequestKind.choices)
    channel = models.CharField("canal", max_length=6, choices=Channel.choices)
    benefit = models.CharField("prestation", max_length=15, choices=Benefit.choices)
    debt = models.ForeignKey(
        Debt,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeal_cases",
        verbose_name="dette",
    )
    contested_decision = models.CharField("décision contestée", max_length=300)
    notified_on = models.DateField("décision notifiée le")
    received_on = models.DateField("reçue le", db_index=True)
    grounds = models.TextField("motifs de l'allocataire", blank=True)
    admissible = models.BooleanField("recevable (R142-1)")
    documents_requested_on = models.DateField("pièces demandées le", null=True, blank=True)
    documents_received_on = models.DateField("pièces reçues le", null=True, blank=True)
    status = models.CharField("état", max_length=12, choices=CaseStatus.choices)
    rapporteur = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("enregistrée le")
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "recours amiable"
        indexes = [models.Index(fields=["status", "received_on"])]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=RequestKind.values), name="cra_kind"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="cra_channel"),
            models.CheckConstraint(condition=Q(status__in=CaseStatus.values), name="cra_status"),
            models.CheckConstraint(
                condition=~Q(kind="remission") | Q(debt__isnull=False), name="cra_remission_debt"
            ),
        ]

    def __str__(self) -> str:
        return f"recours n° {self.pk} ({self.get_kind_display()})"


class CaseEventKind(models.TextChoices):
    RECEIVED = "received", "Réception"
    INADMISSIBLE = "inadmissible", "Irrecevable"
    DOCUMENTS_REQUESTED = "documents_requested", "Pièces demandées"
    DOCUMENTS_RECEIVED = "documents_received", "Pièces reçues"
    INSTRUCTED = "instructed", "Instruction (proposition du rapporteur)"
    SCHEDULED = "scheduled", "Inscription à l'ordre du jour"
    DECIDED = "decided", "Décision"
    EFFECT = "effect", "Effet de la décision appliqué"
    CONSULTED = "consulted", "Dossier consulté"


class CaseEvent(Immutable):
    immutable_message = "L'historique d'un recours ne se modifie pas."

    case = models.ForeignKey(AppealCase, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField("date", db_index=True)
    kind = models.CharField("événement", max_length=20, choices=CaseEventKind.choices)
    actor = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField("note", blank=True)
    detail = models.JSONField("détail", default=dict, blank=True)

    class Meta:
        verbose_name = "événement d'un recours"
        ordering = ["at", "id"]


class Outcome(models.TextChoices):
    REJECT = "reject", "Rejet de la demande de remise"
    PARTIAL = "partial", "Remise partielle"
    FULL = "full", "Remise totale"
    CONFIRM = "confirm", "Décision contestée confirmée"
    REVERSE = "reverse", "Décision contestée infirmée"


REMISSION_OUTCOMES = (Outcome.REJECT, Outcome.PARTIAL, Outcome.FULL)
CONTEST_OUTCOMES = (Outcome.CONFIRM, Outcome.REVERSE)


class Instruction(Immutable):
    """The rapporteur's file, frozen when proposed: what the household had and paid at the time
    (from the registry and the ledger), the precarity test, the proposal. A new instruction
    replaces it (the latest counts)."""

    case = models.ForeignKey(AppealCase, on_delete=models.PROTECT, related_name="instructions")
    at = models.DateTimeField("instruit le")
    rapporteur = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    balance = models.DecimalField("reste dû", null=True, blank=True, **MONEY)
    monthly_income = models.DecimalField("revenu mensuel R", null=True, blank=True, **MONEY)
    weighting = models.DecimalField("pondération N", max_digits=4, decimal_places=1)
    weighted_income = models.DecimalField("revenu pondéré R ÷ N", null=True, blank=True, **MONEY)
    housing_cost = models.DecimalField("loyer ou mensualité", null=True, blank=True, **MONEY)
    precarious = models.BooleanField("situation de précarité", null=True)
    proposal = models.CharField("proposition", max_length=8, choices=Outcome.choices)
    proposed_amount = models.DecimalField("remise proposée", default=0, **MONEY)
    analysis = models.TextField("analyse du rapporteur", blank=True)

    class Meta:
        verbose_name = "instruction d'un recours"
        ordering = ["at", "id"]


class College(models.TextChoices):
    INSURED = "insured", "Représentant des assurés"
    EMPLOYER = "employer", "Représentant des employeurs ou travailleurs indépendants"
    OTHER = "other", "Autre membre du conseil"


class Member(models.Model):
    """A member of the commission, appointed by the board; `user` is their account to read the
    files of their sessions."""

    name = models.CharField("nom", max_length=150)
    college = models.CharField("collège", max_length=8, choices=College.choices)
    user = models.OneToOneField(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="cra_member"
    )
    active = models.BooleanField("en fonction", default=True)

    class Meta:
        verbose_name = "membre de la CRA"
        constraints = [
            models.CheckConstraint(condition=Q(college__in=College.values), name="cra_college")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_college_display()})"


class Session(models.Model):
    held_on = models.DateField("date de la séance", db_index=True)
    members = models.ManyToManyField(Member, related_name="sessions", verbose_name="convoqués")
    closed_at = models.DateTimeField("procès-verbal arrêté le", null=True, blank=True)

    class Meta:
        verbose_name = "séance de la CRA"
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return f"séance du {self.held_on:%d/%m/%Y}"


class Attendance(Immutable):
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="attendance")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    present = models.BooleanField("présent")

    class Meta:
        verbose_name = "présence en séance"
        constraints = [
            models.UniqueConstraint(fields=["session", "member"], name="cra_attendance_once")
        ]


class AgendaItem(models.Model):
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="agenda")
    case = models.OneToOneField(AppealCase, on_delete=models.PROTECT, related_name="agenda_item")
    position = models.PositiveSmallIntegerField("rang")

    class Meta:
        verbose_name = "point de l'ordre du jour"
        ordering = ["position"]

    def __str__(self) -> str:
        return f"point {self.position} : recours n° {self.case_id}"


class Choice(models.TextChoices):
    FOR = "for", "Pour"
    AGAINST = "against", "Contre"
    ABSTAIN = "abstain", "Abstention"


class Decision(Immutable):
    """The decision on a case: the commission's by the board's delegation (`delegated`), or the
    board's on the commission's opinion; or, for an implicit rejection, none (see selectors)."""

    case = models.OneToOneField(AppealCase, on_delete=models.PROTECT, related_name="decision")
    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, null=True, blank=True, related_name="decisions"
    )
    outcome = models.CharField("décision", max_length=8, choices=Outcome.choices)
    amount_remitted = models.DecimalField("montant remis", default=0, **MONEY)
    reasons = models.TextField("motifs")
    delegated = models.BooleanField("décision de la CRA par délégation du conseil")
    decided_on = models.DateField("décidée le", db_index=True)
    debt_entry = models.OneToOneField(
        DebtEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField("enregistrée le")
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "décision sur un recours"
        constraints = [
            models.CheckConstraint(condition=Q(outcome__in=Outcome.values), name="cra_outcome"),
            models.CheckConstraint(
                condition=Q(amount_remitted__gte=0), name="cra_amount_not_negative"
            ),
        ]


class Vote(Immutable):
    decision = models.ForeignKey(Decision, on_delete=models.PROTECT, related_name="votes")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    choice = models.CharField("vote", max_length=8, choices=Choice.choices)

    class Meta:
        verbose_name = "vote en séance"
        constraints = [
            models.UniqueConstraint(fields=["decision", "member"], name="cra_vote_once"),
            models.CheckConstraint(condition=Q(choice__in=Choice.values), name="cra_vote_known"),
        ]


# ---- courts -------------------------------------------------------------------------------------
class Court(models.TextChoices):
    TJ_SOCIAL = "tj_social", "Tribunal judiciaire (pôle social)"
    TA = "ta", "Tribunal administratif"
    COUR_APPEL = "cour_appel", "Cour d'appel"
    CAA = "caa", "Cour administrative d'appel"
    CASSATION = "cassation", "Cour de cassation"
    CONSEIL_ETAT = "conseil_etat", "Conseil d'État"


FIRST_INSTANCE = (Court.TJ_SOCIAL, Court.TA)


class Subject(models.TextChoices):
    FAMILY = "family", "Prestations familiales"
    AAH = "aah", "Allocation aux adultes handicapés"
    HOUSING = "aide_logement", "Aide au logement"
    RSA = "rsa", "Revenu de solidarité active"
    PPA = "ppa", "Prime d'activité"
    PENALTY = "penalty", "Pénalité administrative"
    OPPOSITION = "opposition", "Opposition à contrainte"
    OPPOSITION_ADMIN = "opposition_admin", "Opposition à contrainte (RSA, aide au logement)"


class Judgment(models.TextChoices):
    FAVOURABLE = "favourable", "Favorable à la Caf"
    UNFAVOURABLE = "unfavourable", "Défavorable à la Caf"
    PARTIAL = "partial", "Partiellement favorable"


class CourtCase(models.Model):
    """A case before a court: first instance (from a CRA decision, a penalty, an opposition) or
    an appeal (`appeal_of`)."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="+")
    subject = models.CharField("matière", max_length=16, choices=Subject.choices)
    court = models.CharField("juridiction", max_length=12, choices=Court.choices)
    article = models.CharField("texte de compétence", max_length=120)
    appeal_case = models.ForeignKey(
        AppealCase, on_delete=models.PROTECT, null=True, blank=True, related_name="court_cases"
    )
    debt = models.ForeignKey(
        Debt, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    appeal_of = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="appeal"
    )
    by_caf = models.BooleanField("formé par la Caf", default=False)
    reference = models.CharField("n° de rôle", max_length=40, blank=True)
    filed_on = models.DateField("saisie le")
    pleadings_due = models.DateField("mémoire ou conclusions à rendre le", null=True, blank=True)
    judgment = models.CharField("jugement", max_length=12, choices=Judgment.choices, blank=True)
    judged_on = models.DateField("jugé le", null=True, blank=True, db_index=True)
    amount_cancelled = models.DecimalField("indu annulé par le jugement", default=0, **MONEY)
    created_at = models.DateTimeField("enregistrée le")

    class Meta:
        verbose_name = "affaire contentieuse"
        constraints = [
            models.CheckConstraint(condition=Q(court__in=Court.values), name="court_known"),
            models.CheckConstraint(condition=Q(subject__in=Subject.values), name="court_subject"),
        ]

    def __str__(self) -> str:
        return f"affaire n° {self.pk} ({self.get_court_display()})"


class Hearing(Immutable):
    court_case = models.ForeignKey(CourtCase, on_delete=models.PROTECT, related_name="hearings")
    on = models.DateField("audience le")
    note = models.CharField("objet", max_length=300, blank=True)
    recorded_at = models.DateTimeField("enregistrée le")

    class Meta:
        verbose_name = "audience"
        ordering = ["on", "id"]
