"""Access to rights: the relay partners (Espaces France Services, points relais Caf), their staff
accounts, and the allocataires' mandates to them.

A partner acts for a household — books, sees or cancels its appointments — only under a mandate
that the allocataire gave in the portal, or that an agent recorded from a signed paper, until it
expires or is revoked.
"""

from django.db import models
from django.db.models import F, Q

from justedroit.core import clock
from justedroit.core.models import User
from justedroit.core.sending import DeliveryStatus, Outbound
from justedroit.registry.models import Benefit, Commune, Household


class PartnerKind(models.TextChoices):
    FRANCE_SERVICES = "efs", "Espace France Services"
    RELAY = "relay", "Point relais Caf"


class Partner(models.Model):
    kind = models.CharField("nature", max_length=5, choices=PartnerKind.choices)
    name = models.CharField("nom", max_length=200, unique=True)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, verbose_name="commune")
    address = models.CharField("adresse", max_length=300, blank=True)
    opening_hours = models.CharField("horaires d'ouverture", max_length=300, blank=True)
    contact_email = models.EmailField("courriel de contact", blank=True)
    contact_phone = models.CharField("téléphone de contact", max_length=20, blank=True)
    agreement_start = models.DateField("convention signée le", null=True, blank=True)
    agreement_end = models.DateField("convention jusqu'au", null=True, blank=True)

    class Meta:
        verbose_name = "partenaire"
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=PartnerKind.values), name="partner_kind")
        ]

    def __str__(self) -> str:
        return self.name


class PartnerMember(models.Model):
    """A partner account (role partner_efs / partner_relay) and the organisation it works for."""

    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="partner_membership")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="members")

    class Meta:
        verbose_name = "compte d'un partenaire"

    def __str__(self) -> str:
        return f"{self.user} → {self.partner}"


class MandateSource(models.TextChoices):
    PORTAL = "portal", "Donné par l'allocataire dans Mon dossier"
    AGENT = "agent", "Enregistré par un agent sur pièce justificative"


class Mandate(models.Model):
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="mandates", verbose_name="foyer"
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="mandates", verbose_name="partenaire"
    )
    source = models.CharField("donné", max_length=6, choices=MandateSource.choices)
    granted_at = models.DateTimeField("donné le")
    granted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    evidence = models.CharField(
        "pièce justificative",
        max_length=300,
        blank=True,
        help_text="Obligatoire quand un agent l'enregistre (ex. : mandat signé le 12/01).",
    )
    expires_at = models.DateTimeField("expire le")
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "mandat"
        ordering = ["-granted_at", "-id"]
        indexes = [models.Index(fields=["partner", "household"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(source__in=MandateSource.values), name="mandate_source_known"
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("granted_at")), name="mandate_expires_after_grant"
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=F("granted_at")),
                name="mandate_revoked_after_grant",
            ),
            models.CheckConstraint(
                condition=~Q(source=MandateSource.AGENT) | ~Q(evidence=""),
                name="mandate_agent_has_evidence",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} → {self.partner}"

    @property
    def in_force(self) -> bool:
        now = clock.now()
        return self.revoked_at is None and self.granted_at <= now < self.expires_at


# ---- the non-take-up datamining: campaigns, candidates, contacts --------------------------------
class Campaign(models.Model):
    """One « datamining accès aux droits » campaign: the whole file screened with the engine for
    `month`, with the facts known at `as_of`, and the households selected by the criteria below
    (see `outreach.campaigns` for their exact meaning)."""

    name = models.CharField("nom", max_length=200)
    benefit = models.CharField("prestation", max_length=15, choices=Benefit.choices)
    month = models.DateField("mois calculé")
    as_of = models.DateTimeField("faits connus au")
    min_amount = models.DecimalField(
        "montant mensuel estimé minimal (€)", max_digits=8, decimal_places=2
    )
    data_max_age_months = models.PositiveSmallIntegerField(
        "données de moins de (mois)",
        help_text="Dernier fait du dossier enregistré il y a au plus ce nombre de mois.",
    )
    quiet_months = models.PositiveSmallIntegerField(
        "pas contacté depuis (mois)",
        help_text="Foyer non contacté par une campagne depuis au moins ce nombre de mois.",
    )
    comparison_share = models.DecimalField(
        "part du groupe de comparaison", max_digits=4, decimal_places=3
    )
    seed = models.BigIntegerField("graine du tirage du groupe de comparaison")
    screened = models.PositiveIntegerField("foyers calculés", default=0)
    excluded = models.JSONField("foyers écartés, par critère", default=dict)
    timings = models.JSONField("durées (s)", default=dict)
    planned_at = models.DateTimeField("planifiée le")
    planned_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    launched_at = models.DateTimeField("lancée le", null=True, blank=True)

    class Meta:
        verbose_name = "campagne d'accès aux droits"
        ordering = ["-planned_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(benefit__in=Benefit.values), name="campaign_benefit_known"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="campaign_month_is_month"),
            models.CheckConstraint(
                condition=Q(comparison_share__gte=0, comparison_share__lt=1),
                name="campaign_comparison_share_fraction",
            ),
            models.CheckConstraint(condition=Q(min_amount__gte=0), name="campaign_min_amount"),
        ]

    def __str__(self) -> str:
        return self.name


class CandidateGroup(models.TextChoices):
    CONTACTED = "contact", "À contacter"
    COMPARISON = "comparison", "Groupe de comparaison (non contacté)"


class ContactChannel(models.TextChoices):
    SMS = "sms", "SMS"
    PHONE = "phone", "Appel téléphonique"


class CallOutcome(models.TextChoices):
    REACHED_INTERESTED = "interested", "Joint — va faire la demande"
    REACHED_DECLINED = "declined", "Joint — ne souhaite pas demander"
    NO_ANSWER = "no_answer", "Pas de réponse"
    WRONG_NUMBER = "wrong_number", "Numéro erroné"
    OPTED_OUT = "opted_out", "Ne veut plus être sollicité"


REACHED_OUTCOMES = (CallOutcome.REACHED_INTERESTED, CallOutcome.REACHED_DECLINED)


class Candidate(models.Model):
    """A household the screening found entitled to the campaign's benefit without claiming it,
    with the engine's estimate and explanation, its group and its contact plan."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="candidates")
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="outreach_candidacies"
    )
    estimated_amount = models.DecimalField(
        "montant mensuel estimé", max_digits=10, decimal_places=2
    )
    explanation = models.JSONField("explication du moteur")
    group = models.CharField("groupe", max_length=10, choices=CandidateGroup.choices)
    channel = models.CharField("canal prévu", max_length=5, choices=ContactChannel.choices)
    mobile = models.CharField("mobile connu", max_length=20, blank=True)
    contacted_at = models.DateTimeField("contacté le", null=True, blank=True)
    call_outcome = models.CharField(
        "résultat de l'appel", max_length=12, choices=CallOutcome.choices, blank=True
    )
    called_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "candidat d'une campagne"
        ordering = ["campaign", "-estimated_amount", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "household"], name="candidate_once_per_campaign"
            ),
            models.CheckConstraint(
                condition=Q(group__in=CandidateGroup.values), name="candidate_group_known"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=ContactChannel.values), name="candidate_channel_known"
            ),
            models.CheckConstraint(
                condition=~Q(group=CandidateGroup.COMPARISON) | Q(contacted_at__isnull=True),
                name="candidate_comparison_never_contacted",
            ),
            models.CheckConstraint(
                condition=~Q(channel=ContactChannel.SMS) | ~Q(mobile=""),
                name="candidate_sms_has_mobile",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.household_id}"


class CampaignSms(Outbound):
    """The campaign's SMS to one candidate, sent by the task queue (`outreach/tasks.py`)."""

    candidate = models.OneToOneField(Candidate, on_delete=models.PROTECT, related_name="sms")
    recipient = models.CharField("destinataire", max_length=20)
    text = models.CharField("texte", max_length=480)
    provider_id = models.CharField("identifiant chez le prestataire", max_length=100, blank=True)
    created_at = models.DateTimeField("créé le")

    class Meta:
        verbose_name = "SMS d'une campagne"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="campaign_sms_status"
            )
        ]

    def __str__(self) -> str:
        return f"SMS {self.candidate_id} → {self.recipient}"


class OptOutSource(models.TextChoices):
    SMS_STOP = "sms_stop", "Réponse STOP à un SMS"
    PORTAL = "portal", "Demandé dans Mon dossier"
    PHONE = "phone", "Demandé lors d'un appel"
    AGENT = "agent", "Enregistré par un agent"


class OptOut(models.Model):
    """The household no longer wants the Caf's unsolicited contacts (campaign SMS and calls,
    welcome e-mailings). Messages it asked for (appointment confirmations) are not affected."""

    household = models.OneToOneField(
        Household, on_delete=models.PROTECT, related_name="outreach_opt_out"
    )
    source = models.CharField("origine", max_length=8, choices=OptOutSource.choices)
    recorded_at = models.DateTimeField("enregistré le")
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "refus des sollicitations"
        constraints = [
            models.CheckConstraint(
                condition=Q(source__in=OptOutSource.values), name="opt_out_source_known"
            )
        ]

    def __str__(self) -> str:
        return f"{self.household_id} ({self.source})"


class WelcomeEmail(Outbound):
    """The welcome e-mail to a new allocataire, promoting the online account: once per household
    (the database refuses a second one), sent by the task queue (`outreach/tasks.py`)."""

    household = models.OneToOneField(
        Household, on_delete=models.PROTECT, related_name="welcome_email"
    )
    recipient = models.CharField("destinataire", max_length=254)
    created_at = models.DateTimeField("créé le")

    class Meta:
        verbose_name = "courriel de bienvenue"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="welcome_email_status"
            )
        ]

    def __str__(self) -> str:
        return f"Bienvenue {self.household_id} → {self.recipient}"


class ReferralStatus(models.TextChoices):
    OPEN = "open", "À traiter"
    DONE = "done", "Traité"


class Referral(models.Model):
    """A partner refers a household (under its mandate) to the Caf, with a reason; an agent
    handles it from the worklist and records the outcome."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="referrals")
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="outreach_referrals"
    )
    reason = models.CharField("motif", max_length=1000)
    created_at = models.DateTimeField("signalé le")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        "état", max_length=4, choices=ReferralStatus.choices, default=ReferralStatus.OPEN
    )
    outcome = models.CharField("suite donnée", max_length=1000, blank=True)
    handled_at = models.DateTimeField("traité le", null=True, blank=True)
    handled_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "orientation vers la Caf"
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ReferralStatus.values), name="referral_status_known"
            ),
            models.CheckConstraint(
                condition=Q(status=ReferralStatus.OPEN)
                | (Q(handled_at__isnull=False) & ~Q(outcome="")),
                name="referral_done_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} → {self.household_id}"


# ---- the partners' monthly information meetings -------------------------------------------------
class InformationMeeting(models.Model):
    """A monthly meeting keeping the partners up to date (legislative and technical news)."""

    held_on = models.DateField("date")
    title = models.CharField("titre", max_length=200)
    agenda = models.TextField("ordre du jour et supports")
    planned_at = models.DateTimeField("planifiée le")

    class Meta:
        verbose_name = "réunion d'information des partenaires"
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return f"{self.held_on:%d/%m/%Y} {self.title}"


class MeetingInvitation(models.Model):
    meeting = models.ForeignKey(
        InformationMeeting, on_delete=models.PROTECT, related_name="invitations"
    )
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="invitations")
    attended = models.BooleanField("présent", null=True, blank=True)

    class Meta:
        verbose_name = "invitation à une réunion"
        constraints = [
            models.UniqueConstraint(fields=["meeting", "partner"], name="invitation_once")
        ]

    def __str__(self) -> str:
        return f"{self.meeting} → {self.partner}"


class InformationMaterial(models.Model):
    """One version of the information material of the monthly meetings (legislative and technical
    news), uploaded by the access-to-rights team. The partners download the newest version; the
    file is kept by `channels.storage`, outside the web root."""

    version = models.PositiveIntegerField("version", unique=True)
    title = models.CharField("titre", max_length=200)
    meeting = models.ForeignKey(
        InformationMeeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="materials",
        verbose_name="réunion",
    )
    original_name = models.CharField("nom du fichier déposé", max_length=255)
    stored_name = models.CharField("nom de stockage", max_length=64, unique=True)
    content_type = models.CharField("type", max_length=50)
    size = models.PositiveIntegerField("taille (octets)")
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    uploaded_at = models.DateTimeField("déposé le")
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "support des réunions d'information"
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(condition=Q(version__gte=1), name="material_version_positive")
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"


class MaterialDownload(models.Model):
    """A partner downloaded a version of the material: counted per partner, with nobody's name
    (the count is all the meetings' follow-up needs)."""

    material = models.ForeignKey(
        InformationMaterial, on_delete=models.PROTECT, related_name="downloads"
    )
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+")
    downloaded_at = models.DateTimeField("téléchargé le")

    class Meta:
        verbose_name = "téléchargement du support"
        indexes = [models.Index(fields=["material", "partner"])]

    def __str__(self) -> str:
        return f"{self.material_id} → {self.partner}"


# ---- collective actions -------------------------------------------------------------------------
class CollectiveAction(models.Model):
    """An information action on request (a talk, a series of permanences with a partner such as
    the Cpam), its sessions, the people received and the rights they led to."""

    title = models.CharField("intitulé", max_length=200)
    requested_by = models.CharField("à la demande de", max_length=200)
    audience = models.CharField("public", max_length=300)
    place = models.CharField("lieu", max_length=300)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, verbose_name="commune")
    co_organisers = models.CharField("avec", max_length=300, blank=True)
    first_day = models.DateField("du")
    last_day = models.DateField("au")
    report = models.TextField("bilan", blank=True)
    created_at = models.DateTimeField("créée le")

    class Meta:
        verbose_name = "action collective"
        ordering = ["first_day", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")), name="collective_action_dates"
            )
        ]

    def __str__(self) -> str:
        return self.title


class ActionSession(models.Model):
    """One session of an action (a talk, a permanence) and how many people were received."""

    action = models.ForeignKey(CollectiveAction, on_delete=models.PROTECT, related_name="sessions")
    held_on = models.DateField("date")
    people_received = models.PositiveSmallIntegerField("personnes reçues")

    class Meta:
        verbose_name = "séance d'une action collective"
        ordering = ["held_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["action", "held_on"], name="action_session_once")
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.held_on:%d/%m/%Y}"


class ActionOutcomeKind(models.TextChoices):
    CLAIM_OPENED = "claim", "Demande ouverte"
    RIGHT_REVISED = "revised", "Droit révisé"
    UNBLOCKED = "unblocked", "Dossier débloqué"


class ActionOutcome(models.Model):
    """A right an action led to, linked to the household only with its recorded consent."""

    session = models.ForeignKey(ActionSession, on_delete=models.PROTECT, related_name="outcomes")
    kind = models.CharField("nature", max_length=9, choices=ActionOutcomeKind.choices)
    benefit = models.CharField("prestation", max_length=15, choices=Benefit.choices, blank=True)
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outreach_action_outcomes",
    )
    consent_recorded_at = models.DateTimeField("consentement recueilli le", null=True, blank=True)
    recorded_at = models.DateTimeField("enregistré le")
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "droit issu d'une action collective"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ActionOutcomeKind.values), name="action_outcome_kind"
            ),
            models.CheckConstraint(
                condition=Q(household__isnull=True) | Q(consent_recorded_at__isnull=False),
                name="action_outcome_household_needs_consent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session}: {self.kind}"
