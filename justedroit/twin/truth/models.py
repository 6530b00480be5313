"""The truth's one table (its app is `twin`: `twin/models.py` imports it)."""

from django.db import models


class TrueKind(models.TextChoices):
    SALARY = "salary", "Salaire net mensuel"
    UNEMPLOYMENT_BENEFIT = "unemployment_benefit", "Allocation chômage mensuelle"
    PENSION = "pension", "Pension mensuelle"
    ACTIVITY = "activity", "Situation professionnelle"
    FISCAL_INCOME_N2 = "fiscal_income_n2", "Revenu fiscal de référence N-2"
    PARTNER = "partner", "Conjoint vivant au foyer (ses ressources mensuelles)"
    ABROAD = "abroad", "Foyer parti vivre à l'étranger"
    RENT = "rent", "Loyer ou mensualité d'accession"
    HOUSING_STATUS = "housing_status", "Statut d'occupation du logement"


class Origin(models.TextChoices):
    DECLARED = "declared", "Déclaré fidèlement à la construction du jumeau"
    CHANGE = "change", "Changement tiré par le jumeau"


class Change(models.TextChoices):
    PAY_RISE = "pay_rise", "Hausse de salaire"
    NEW_JOB = "new_job", "Reprise d'emploi"
    PARTNER_MOVES_IN = "partner_moves_in", "Vie en couple"
    DEPARTURE_ABROAD = "departure_abroad", "Départ à l'étranger"
    VARIABLE_PAY = "variable_pay", "Mois de paie plus élevée (heures en plus, prime)"
    RENT_FALL = "rent_fall", "Baisse de loyer (logement moins cher, nouveau bail)"
    LEAVES_RENTAL = "leaves_rental", "Fin de location : hébergé gratuitement"


class Behaviour(models.TextChoices):
    ON_TIME = "on_time", "Déclaré dans le mois"
    LATE = "late", "Déclaré en retard"
    NEVER = "never", "Jamais déclaré (négligence)"
    MISTAKE = "mistake", "Déclaré à temps, montant erroné"
    DELIBERATE = "deliberate", "Caché délibérément"


class TruePeriod(models.Model):
    """A value true for a person (or the household, `person` empty) over months
    [month_from, month_until) — open when `month_until` is empty. For a month, the period of a
    subject and kind that starts latest is the true one. A drawn change says how the household
    declares it: when (`declared_at`, empty if never) and what (`declared_amount`, when it is
    not the true amount)."""

    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="+", verbose_name="foyer"
    )
    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="personne",
    )
    kind = models.CharField("nature", max_length=25, choices=TrueKind.choices)
    month_from = models.DateField("à partir de (mois)")
    month_until = models.DateField("jusqu'à (mois exclu)", null=True, blank=True)
    amount = models.DecimalField("montant", max_digits=12, decimal_places=2, null=True)
    code = models.CharField("valeur", max_length=30, blank=True)
    origin = models.CharField("origine", max_length=10, choices=Origin.choices)
    change = models.CharField("changement", max_length=20, choices=Change.choices, blank=True)
    behaviour = models.CharField(
        "déclaration", max_length=10, choices=Behaviour.choices, blank=True
    )
    declared_at = models.DateTimeField("déclaré le", null=True, blank=True)
    declared_amount = models.DecimalField(
        "montant déclaré", max_digits=12, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = "vérité du jumeau"
        indexes = [models.Index(fields=["month_from", "month_until"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=TrueKind.values), name="true_period_kind_known"
            ),
            models.CheckConstraint(
                condition=models.Q(origin="declared", change="", behaviour="")
                | models.Q(origin="change") & ~models.Q(change="") & ~models.Q(behaviour=""),
                name="true_period_change_has_behaviour",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.month_from:%Y-%m}"


class ProcessingError(models.TextChoices):
    WRONG_AMOUNT = "wrong_amount", "Montant erroné"
    WRONG_DATE = "wrong_date", "Date d'effet erronée"
    MISSED_RESOURCE = "missed_resource", "Ressource oubliée"


class TrueProcessing(models.Model):
    """What a twin case worker's act should have recorded, and whether it did: the ground truth
    the verification estimates are judged against (`twin.simulate.quality`)."""

    act = models.OneToOneField(
        "registry.ProcessingAct", on_delete=models.PROTECT, related_name="+", verbose_name="acte"
    )
    month = models.DateField("mois traité")
    true_amount = models.DecimalField("montant vrai", max_digits=12, decimal_places=2)
    recorded_amount = models.DecimalField("montant saisi", max_digits=12, decimal_places=2)
    error = models.CharField("erreur", max_length=16, choices=ProcessingError.choices, blank=True)

    class Meta:
        verbose_name = "vérité d'un acte de traitement"

    def __str__(self) -> str:
        return f"act {self.act_id}: {self.error or 'ok'}"
