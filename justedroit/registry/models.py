"""The registry: communes, households (foyers allocataires), persons, claims and bitemporal facts.

A fact is valid for months [valid_from, valid_until) and was recorded at `recorded_at`. What the Caf
knew at instant T about month M is, for each (household, person, kind), the fact covering M with the
latest `recorded_at` ≤ T. Facts are never updated: a correction is a new fact.
"""

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q

from justedroit.core.models import Immutable, User

HOUSEHOLD_NUMBER = RegexValidator(r"^\d{7}$", "Le numéro allocataire compte 7 chiffres.")


class Benefit(models.TextChoices):
    AF = "af", "Allocations familiales"
    CF = "cf", "Complément familial"
    ASF = "asf", "Allocation de soutien familial"
    ARS = "ars", "Allocation de rentrée scolaire"
    PAJE_BASE = "paje_base", "PAJE — allocation de base"
    AIDE_LOGEMENT = "aide_logement", "Aide au logement"
    RSA = "rsa", "Revenu de solidarité active"
    PPA = "ppa", "Prime d'activité"
    AAH = "aah", "Allocation aux adultes handicapés"


class Commune(models.Model):
    insee_code = models.CharField("code Insee", max_length=5, primary_key=True)
    name = models.CharField("nom", max_length=100)
    postcodes = models.JSONField("codes postaux", default=list)
    population = models.PositiveIntegerField("population")
    apl_zone = models.PositiveSmallIntegerField("zone APL")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(apl_zone__in=(1, 2, 3)), name="commune_apl_zone_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.insee_code})"


class Household(models.Model):
    number = models.CharField(
        "numéro allocataire", max_length=7, unique=True, validators=[HOUSEHOLD_NUMBER]
    )
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, verbose_name="commune")
    is_synthetic = models.BooleanField("fictif (jumeau)", default=False)
    created_at = models.DateTimeField("créé le")

    class Meta:
        verbose_name = "foyer allocataire"
        constraints = [
            models.CheckConstraint(
                condition=Q(number__regex=r"^[0-9]{7}$"), name="household_number_7_digits"
            )
        ]

    def __str__(self) -> str:
        return self.number


class Person(models.Model):
    nir = models.CharField("NIR", max_length=15, unique=True)
    last_name = models.CharField("nom", max_length=100)
    first_name = models.CharField("prénom", max_length=100)
    birth_date = models.DateField("date de naissance", null=True, blank=True)
    is_synthetic = models.BooleanField("fictif (jumeau)", default=False)

    class Meta:
        verbose_name = "personne"
        indexes = [models.Index(fields=["last_name", "first_name"])]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class MemberRole(models.TextChoices):
    CLAIMANT = "claimant", "Allocataire"
    SPOUSE = "spouse", "Conjoint"
    CHILD = "child", "Enfant"
    OTHER = "other", "Autre personne"


class Membership(models.Model):
    """A person belongs to a household from `start_date` until `end_date` (exclusive)."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField("rôle", max_length=10, choices=MemberRole.choices)
    start_date = models.DateField("arrivée")
    end_date = models.DateField("départ", null=True, blank=True)

    class Meta:
        verbose_name = "membre du foyer"
        constraints = [
            models.UniqueConstraint(
                fields=["household", "person", "start_date"], name="membership_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gt=F("start_date")),
                name="membership_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(role__in=MemberRole.values), name="membership_role_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.household_id} ({self.role})"


class ClaimStatus(models.TextChoices):
    PENDING = "pending", "En instruction"
    GRANTED = "granted", "Ouverte"
    REJECTED = "rejected", "Rejetée"
    CLOSED = "closed", "Close"


class Claim(models.Model):
    """A claim (demande) for a benefit, running from `start_month` until `end_month` (exclusive)."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="claims")
    benefit = models.CharField("prestation", max_length=15, choices=Benefit.choices)
    start_month = models.DateField("à partir de")
    end_month = models.DateField("jusqu'à (exclu)", null=True, blank=True)
    status = models.CharField("statut", max_length=10, choices=ClaimStatus.choices)
    recorded_at = models.DateTimeField("enregistrée le")

    class Meta:
        verbose_name = "demande de prestation"
        constraints = [
            models.UniqueConstraint(
                fields=["household", "benefit", "start_month"], name="claim_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(benefit__in=Benefit.values), name="claim_benefit_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ClaimStatus.values), name="claim_status_known"
            ),
            models.CheckConstraint(condition=Q(start_month__day=1), name="claim_start_is_month"),
            models.CheckConstraint(
                condition=Q(end_month__isnull=True)
                | (Q(end_month__day=1) & Q(end_month__gt=F("start_month"))),
                name="claim_end_is_later_month",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.benefit} {self.household_id} from {self.start_month:%Y-%m}"


class FactKind(models.TextChoices):
    SALARY = "salary", "Salaire net mensuel"
    SELF_EMPLOYMENT = "self_employment", "Revenu d'activité non salariée mensuel"
    UNEMPLOYMENT_BENEFIT = "unemployment_benefit", "Allocation chômage mensuelle"
    PENSION = "pension", "Pension de retraite ou d'invalidité mensuelle"
    OTHER_INCOME = "other_income", "Autre ressource mensuelle"
    ACTIVITY = "activity", "Situation professionnelle"
    DISABILITY_RATE = "disability_rate", "Taux d'incapacité (%)"
    PREGNANCY = "pregnancy", "Grossesse déclarée"
    HOUSING_STATUS = "housing_status", "Statut d'occupation du logement"
    RENT = "rent", "Loyer ou mensualité d'accession"
    HOUSING_COMMUNE = "housing_commune", "Commune du logement"
    FISCAL_INCOME_N2 = "fiscal_income_n2", "Revenu fiscal de référence N-2 (annuel)"
    # Vie maritale established (by a control) with a partner the file does not list as a member:
    # the household's amount is the partner's monthly net resources (0: none).
    PARTNER_RESOURCES = "partner_resources", "Vie maritale : ressources mensuelles du conjoint"
    RESIDENCE = "residence", "Résidence (en France ou à l'étranger)"


class FactSource(models.TextChoices):
    DECLARATION = "declaration", "Déclaration de l'allocataire"
    PARTNER_EXCHANGE = "partner_exchange", "Échange avec un partenaire"
    CONTROL = "control", "Contrôle"
    AGENT = "agent", "Saisie d'un agent"


class Residence(models.TextChoices):
    FRANCE = "france", "En France"
    ABROAD = "abroad", "À l'étranger"


class Activity(models.TextChoices):
    EMPLOYED = "employed", "Salarié"
    SELF_EMPLOYED = "self_employed", "Travailleur indépendant"
    UNEMPLOYED = "unemployed", "Demandeur d'emploi"
    INACTIVE = "inactive", "Sans activité"
    RETIRED = "retired", "Retraité"
    STUDENT = "student", "Étudiant"
    APPRENTICE = "apprentice", "Apprenti"


class HousingStatus(models.TextChoices):
    TENANT = "tenant", "Locataire (parc privé)"
    SOCIAL_TENANT = "social_tenant", "Locataire (logement social)"
    OWNER = "owner", "Propriétaire"
    HOMEOWNER_LOAN = "homeowner_loan", "Accédant à la propriété"
    HOSTED_FREE = "hosted_free", "Hébergé à titre gratuit"
    HOMELESS = "homeless", "Sans domicile stable"


class Fact(Immutable):
    immutable_message = "Un fait enregistré ne se modifie pas : enregistrez une correction."

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="facts")
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="facts",
        help_text="Vide pour un fait du foyer.",
    )
    kind = models.CharField("nature", max_length=25, choices=FactKind.choices)
    valid_from = models.DateField("valable à partir de (mois)")
    valid_until = models.DateField("valable jusqu'à (mois exclu)", null=True, blank=True)
    recorded_at = models.DateTimeField("enregistré le", db_index=True)
    source = models.CharField("source", max_length=20, choices=FactSource.choices)
    amount = models.DecimalField(
        "montant ou taux", max_digits=12, decimal_places=2, null=True, blank=True
    )
    code = models.CharField("valeur", max_length=30, blank=True)
    recorded_by = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="saisi par",
    )

    class Meta:
        verbose_name = "fait"
        indexes = [models.Index(fields=["household", "kind", "recorded_at"])]
        # Overlapping periods for the same subject, kind and instant are rejected by the database:
        # an exclusion constraint on PostgreSQL, triggers on SQLite (migration 0002).
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=FactKind.values), name="fact_kind_known"),
            models.CheckConstraint(
                condition=Q(source__in=FactSource.values), name="fact_source_known"
            ),
            models.CheckConstraint(condition=Q(valid_from__day=1), name="fact_from_is_month"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | (Q(valid_until__day=1) & Q(valid_until__gt=F("valid_from"))),
                name="fact_until_is_later_month",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=False) | ~Q(code=""), name="fact_has_value"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}={self.value} from {self.valid_from:%Y-%m}"

    @property
    def value(self):
        return self.amount if self.amount is not None else self.code


class HouseholdAccount(models.Model):
    """Binds an allocataire's user account to their household."""

    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="household_account")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="accounts")

    def __str__(self) -> str:
        return f"{self.user_id} → {self.household_id}"


class ContactKind(models.TextChoices):
    EMAIL = "email", "Adresse électronique"
    MOBILE = "mobile", "Téléphone mobile"


class ContactSource(models.TextChoices):
    DECLARED = "declared", "Déclarée par l'allocataire"
    AGENT = "agent", "Recueillie par un agent auprès de l'allocataire"


class ContactPoint(models.Model):
    """An address or a mobile number the household itself gave the Caf. Only these identify the
    sender of an inbound message (with the e-mail of the household's portal account), and
    answers go only to them. `value` is normalised (lower-case e-mail, E.164 number, see
    `registry.contacts`), so a lookup is an exact match."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="contact_points", verbose_name="foyer"
    )
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contact_points",
        verbose_name="personne",
    )
    kind = models.CharField("nature", max_length=6, choices=ContactKind.choices)
    value = models.CharField("valeur (normalisée)", max_length=254)
    source = models.CharField("origine", max_length=8, choices=ContactSource.choices)
    verified = models.BooleanField(
        "vérifiée", default=False, help_text="Un agent a vérifié auprès de l'allocataire."
    )
    recorded_at = models.DateTimeField("enregistrée le")
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "coordonnée connue"
        verbose_name_plural = "coordonnées connues"
        indexes = [models.Index(fields=["kind", "value"])]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "kind", "value"], name="contact_point_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ContactKind.values), name="contact_point_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(source__in=ContactSource.values), name="contact_point_source_known"
            ),
            models.CheckConstraint(condition=~Q(value=""), name="contact_point_value_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value} ({self.household_id})"

    def describe(self) -> str:
        """How this address came to be known, for the agent and the allocataire."""
        checked = ", vérifiée par un agent" if self.verified else ""
        return f"{self.get_source_display().lower()} le {self.recorded_at:%d/%m/%Y}{checked}"


class ActKind(models.TextChoices):
    FACTS_RECORDED = "facts_recorded", "Saisie de faits"
    CLAIM_DECIDED = "claim_decided", "Décision sur une demande"
    DOCUMENT_PROCESSED = "document_processed", "Traitement manuel d'une pièce"
    CONTROL_SETTLED = "control_settled", "Clôture d'un contrôle"


class ProcessingAct(Immutable):
    """One act of case processing by an agent: what the quality of liquidation is measured on
    (verification samples, supervision, the IQL indices of the `quality` app).

    It lives in the registry, the lowest domain that knows households, claims and facts, so that
    the services that process a file (the registry's own, the documents' queue in `channels`,
    the controls' closure) write it in the transaction of the act itself, without importing
    `quality` (layering contracts). The facts it wrote are linked (`ProcessingActFact`); the
    euros it changed are not copied here: the engine links every rappel and indu it creates to
    the facts that caused it (`entitlements.AdjustmentCause`), so the quality selectors read the
    amounts through that link, including the recomputations of later monthly cycles. The
    agent's team is not copied either: it is read from the quality teams at the act's date."""

    immutable_message = "Un acte de traitement enregistré ne se modifie pas."

    kind = models.CharField("nature", max_length=20, choices=ActKind.choices)
    agent = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="processing_acts", verbose_name="agent"
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="processing_acts", verbose_name="foyer"
    )
    benefit = models.CharField(
        "prestation",
        max_length=15,
        choices=Benefit.choices,
        blank=True,
        help_text="Vide quand l'acte ne porte pas sur une prestation désignée.",
    )
    at = models.DateTimeField("date", db_index=True)
    object_type = models.CharField("objet traité", max_length=60, blank=True)
    object_id = models.CharField("identifiant de l'objet", max_length=60, blank=True)

    class Meta:
        verbose_name = "acte de traitement"
        verbose_name_plural = "actes de traitement"
        indexes = [models.Index(fields=["agent", "at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ActKind.values), name="processing_act_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(benefit="") | Q(benefit__in=Benefit.values),
                name="processing_act_benefit_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.household_id} by {self.agent_id} at {self.at:%Y-%m-%d}"


class ProcessingActFact(Immutable):
    """A fact an act wrote."""

    immutable_message = "Un acte de traitement enregistré ne se modifie pas."

    act = models.ForeignKey(ProcessingAct, on_delete=models.PROTECT, related_name="act_facts")
    fact = models.ForeignKey(Fact, on_delete=models.PROTECT, related_name="act_links")

    class Meta:
        verbose_name = "fait écrit par un acte"
        constraints = [
            models.UniqueConstraint(fields=["act", "fact"], name="processing_act_fact_once")
        ]

    def __str__(self) -> str:
        return f"{self.act_id} → {self.fact_id}"
