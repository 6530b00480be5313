"""Reception: sites and permanences, appointment types, opening slots, appointments, walk-in queue.

No double booking is a database guarantee, not a warning: an agent's, an accessibility
resource's and a household's active appointments cannot overlap — exclusion constraints on
PostgreSQL, triggers on SQLite (migrations 0002 and 0003) — and the place capacity is checked under
a row lock on the site.
"""

import datetime as dt

from django.db import models
from django.db.models import F, Q

from justedroit.core.models import User
from justedroit.core.sending import DeliveryStatus, Outbound
from justedroit.registry.models import Commune, Household


class SiteKind(models.TextChoices):
    CAF_SITE = "site", "Accueil Caf"
    PERMANENCE = "permanence", "Permanence"


class Site(models.Model):
    slug = models.SlugField("identifiant", max_length=40, unique=True)
    name = models.CharField("nom", max_length=100)
    kind = models.CharField("nature", max_length=12, choices=SiteKind.choices)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, verbose_name="commune")
    address = models.CharField("adresse", max_length=200)
    offers_walk_in = models.BooleanField("accueil sur flux", default=True)
    offers_appointments = models.BooleanField("rendez-vous sur place", default=True)
    offers_remote = models.BooleanField("rendez-vous téléphone et visio", default=True)
    desks = models.PositiveSmallIntegerField(
        "bureaux de rendez-vous", default=1, help_text="Rendez-vous sur place simultanés possibles."
    )

    class Meta:
        verbose_name = "lieu d'accueil"
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=SiteKind.values), name="site_kind_known"),
            models.CheckConstraint(condition=Q(desks__gte=1), name="site_has_a_desk"),
        ]

    def __str__(self) -> str:
        return self.name


class OpeningHours(models.Model):
    """The site's public opening on one weekday (0 = Monday); several rows for a split day."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField("jour")
    opens = models.TimeField("ouverture")
    closes = models.TimeField("fermeture")

    class Meta:
        verbose_name = "horaire d'ouverture"
        ordering = ["site", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="opening_weekday_valid"),
            models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="opening_closes_later"),
            models.UniqueConstraint(fields=["site", "weekday", "opens"], name="opening_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.site} j{self.weekday} {self.opens:%H:%M}-{self.closes:%H:%M}"


class Closure(models.Model):
    """An exceptional closure of a site, days [first_day, last_day] inclusive."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="closures")
    first_day = models.DateField("du")
    last_day = models.DateField("au")
    reason = models.CharField("motif", max_length=200)

    class Meta:
        verbose_name = "fermeture exceptionnelle"
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")), name="closure_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.site} fermé {self.first_day}..{self.last_day}"


class ResourceKind(models.TextChoices):
    LSF = "lsf", "Interprète en langue des signes française (LSF)"
    WRITTEN = "written", "Transcription écrite (relais écrit)"


class AccessibilityResource(models.Model):
    """A bookable accessibility resource (an LSF interpreter, a written relay) at a site."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="resources")
    kind = models.CharField("nature", max_length=10, choices=ResourceKind.choices)
    name = models.CharField("nom", max_length=100)

    class Meta:
        verbose_name = "ressource d'accessibilité"
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ResourceKind.values), name="resource_kind")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.site})"


class Channel(models.TextChoices):
    IN_PERSON = "in_person", "Sur place"
    PHONE = "phone", "Par téléphone"
    VISIO = "visio", "En visio"


class AppointmentType(models.Model):
    """A motif: channel, duration, booking delays, who may book, what the allocataire may change."""

    code = models.SlugField("code", max_length=40, unique=True)
    label = models.CharField("libellé", max_length=120)
    channel = models.CharField("canal", max_length=10, choices=Channel.choices)
    duration_minutes = models.PositiveSmallIntegerField("durée (min)")
    min_delay_minutes = models.PositiveIntegerField(
        "délai minimum de réservation (min)", default=30
    )
    max_delay_days = models.PositiveSmallIntegerField(
        "délai maximum de réservation (j)", default=90
    )
    claimant_may_book = models.BooleanField("réservable par l'allocataire", default=True)
    partner_may_book = models.BooleanField("réservable par un partenaire", default=True)
    cancel_until_hours = models.PositiveSmallIntegerField(
        "annulation par l'allocataire jusqu'à (h avant)",
        null=True,
        blank=True,
        help_text="Vide : l'allocataire ne peut pas annuler lui-même.",
    )
    move_until_hours = models.PositiveSmallIntegerField(
        "déplacement par l'allocataire jusqu'à (h avant)",
        null=True,
        blank=True,
        help_text="Vide : l'allocataire ne peut pas déplacer lui-même.",
    )
    documents = models.JSONField("pièces à apporter ou transmettre", default=list, blank=True)

    class Meta:
        verbose_name = "motif de rendez-vous"
        ordering = ["label"]
        constraints = [
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="type_channel"),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5, duration_minutes__lte=240),
                name="type_duration_range",
            ),
            models.CheckConstraint(condition=Q(max_delay_days__gte=1), name="type_max_delay"),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.get_channel_display().lower()})"

    @property
    def duration(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.duration_minutes)


class OpeningSlot(models.Model):
    """A recurring opening slot (plage d'ouverture): an agent, a site, the motifs, weekly."""

    agent = models.ForeignKey(User, on_delete=models.PROTECT, related_name="opening_slots")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="opening_slots")
    types = models.ManyToManyField(AppointmentType, related_name="opening_slots")
    weekday = models.PositiveSmallIntegerField("jour")
    starts = models.TimeField("début")
    ends = models.TimeField("fin")
    first_day = models.DateField("à partir du")
    last_day = models.DateField("jusqu'au", null=True, blank=True)
    every_weeks = models.PositiveSmallIntegerField("toutes les (semaines)", default=1)
    resource = models.ForeignKey(
        AccessibilityResource,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opening_slots",
        verbose_name="ressource d'accessibilité présente",
    )

    class Meta:
        verbose_name = "plage d'ouverture"
        constraints = [
            models.CheckConstraint(condition=Q(weekday__lte=6), name="slot_weekday_valid"),
            models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="slot_ends_later"),
            models.CheckConstraint(
                condition=Q(every_weeks__gte=1, every_weeks__lte=4), name="slot_every_weeks"
            ),
            models.CheckConstraint(
                condition=Q(last_day__isnull=True) | Q(last_day__gte=F("first_day")),
                name="slot_last_day_after_first",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent} {self.site} j{self.weekday} {self.starts:%H:%M}-{self.ends:%H:%M}"


class SlotOverride(models.Model):
    """One occurrence of an opening slot edited: other hours, or cancelled (no hours)."""

    opening_slot = models.ForeignKey(
        OpeningSlot, on_delete=models.PROTECT, related_name="overrides"
    )
    day = models.DateField("jour")
    starts = models.TimeField("début", null=True, blank=True)
    ends = models.TimeField("fin", null=True, blank=True)

    class Meta:
        verbose_name = "occurrence modifiée"
        constraints = [
            models.UniqueConstraint(fields=["opening_slot", "day"], name="override_once_per_day"),
            models.CheckConstraint(
                condition=Q(starts__isnull=True, ends__isnull=True)
                | Q(starts__isnull=False, ends__gt=F("starts")),
                name="override_hours_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.opening_slot_id} le {self.day}"


class Absence(models.Model):
    """An agent's absence on days [first_day, last_day], all day or between two times, optionally
    weekly (every week on first_day's weekday until last_day)."""

    agent = models.ForeignKey(User, on_delete=models.PROTECT, related_name="absences")
    first_day = models.DateField("du")
    last_day = models.DateField("au")
    starts = models.TimeField("de", null=True, blank=True)
    ends = models.TimeField("à", null=True, blank=True)
    weekly = models.BooleanField("chaque semaine", default=False)
    reason = models.CharField("motif", max_length=200, blank=True)

    class Meta:
        verbose_name = "absence"
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")), name="absence_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(starts__isnull=True, ends__isnull=True)
                | Q(starts__isnull=False, ends__gt=F("starts")),
                name="absence_hours_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agent} absent {self.first_day}..{self.last_day}"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "À venir ou non renseigné"
    SEEN = "seen", "Reçu"
    NO_SHOW = "no_show", "Absent (lapin)"
    EXCUSED = "excused", "Annulé par l'allocataire"
    REVOKED = "revoked", "Annulé par la Caf"


# Statuses that still occupy the agent's time, the desk and the resource.
ACTIVE_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.SEEN, AppointmentStatus.NO_SHOW)


class BookedVia(models.TextChoices):
    AGENT = "agent", "Un agent de la Caf"
    CLAIMANT = "claimant", "L'allocataire (Mon dossier)"
    PARTNER = "partner", "Un partenaire pour l'allocataire"


class Appointment(models.Model):
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="appointments")
    type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT, verbose_name="motif")
    channel = models.CharField("canal", max_length=10, choices=Channel.choices)
    agent = models.ForeignKey(User, on_delete=models.PROTECT, related_name="appointments")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="appointments")
    starts_at = models.DateTimeField("début", db_index=True)
    ends_at = models.DateTimeField("fin")
    status = models.CharField(
        "statut", max_length=10, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    accessibility_need = models.CharField(
        "besoin d'accessibilité", max_length=10, choices=ResourceKind.choices, blank=True
    )
    resource = models.ForeignKey(
        AccessibilityResource,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
    )
    booked_via = models.CharField("réservé par", max_length=10, choices=BookedVia.choices)
    booked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    partner = models.ForeignKey(
        "outreach.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
        verbose_name="partenaire (organisation)",
    )
    partner_organisation = models.CharField("partenaire", max_length=200, blank=True)
    meeting_url = models.CharField("lien de visio", max_length=300, blank=True)
    contact_phone = models.CharField("téléphone (SMS)", max_length=20, blank=True)
    contact_email = models.EmailField("courriel", blank=True)
    note = models.CharField("précisions", max_length=500, blank=True)
    created_at = models.DateTimeField("réservé le")
    checked_in_at = models.DateTimeField("arrivé à l'accueil", null=True, blank=True)
    status_changed_at = models.DateTimeField("statut renseigné le", null=True, blank=True)

    class Meta:
        verbose_name = "rendez-vous"
        verbose_name_plural = "rendez-vous"
        ordering = ["starts_at"]
        indexes = [
            models.Index(fields=["agent", "starts_at"]),
            models.Index(fields=["site", "starts_at"]),
            models.Index(fields=["household", "starts_at"]),
        ]
        # Overlaps for the agent, the resource (migration 0002) and the household (0003):
        # PostgreSQL exclusion constraints, SQLite triggers. The unique constraints below hold on
        # every database.
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="appt_ends_later"),
            models.CheckConstraint(
                condition=Q(status__in=AppointmentStatus.values), name="appt_status_known"
            ),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="appt_channel"),
            models.CheckConstraint(
                condition=Q(booked_via__in=BookedVia.values), name="appt_booked_via_known"
            ),
            models.CheckConstraint(
                condition=Q(accessibility_need="") | Q(resource__isnull=False),
                name="appt_need_has_resource",
            ),
            models.CheckConstraint(
                condition=Q(partner__isnull=True) | Q(booked_via=BookedVia.PARTNER),
                name="appt_partner_booked_via_partner",
            ),
            models.UniqueConstraint(
                fields=["agent", "starts_at"],
                condition=Q(status__in=[s.value for s in ACTIVE_STATUSES]),
                name="appt_agent_once_per_start",
            ),
            models.UniqueConstraint(
                fields=["meeting_url"], condition=~Q(meeting_url=""), name="appt_meeting_url_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type.code} {self.household_id} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class Queue(models.TextChoices):
    RECEPTION = "reception", "Accueil (premier niveau)"
    ADVISER = "adviser", "Conseiller (second niveau)"


class VisitReason(models.TextChoices):
    FILE = "file", "Suivi de dossier"
    DOCUMENTS = "documents", "Dépôt ou question sur des pièces"
    PAYMENT = "payment", "Paiement, montant"
    NEW_CLAIM = "new_claim", "Nouvelle demande"
    DEBT = "debt", "Dette, indu, recouvrement"
    ONLINE_HELP = "online_help", "Aide aux démarches en ligne"
    OTHER = "other", "Autre"


class TicketStatus(models.TextChoices):
    WAITING = "waiting", "En attente"
    CALLED = "called", "Appelé"
    SERVING = "serving", "En cours"
    DONE = "done", "Terminé"
    NO_SHOW = "no_show", "Parti sans être reçu"


class TicketOutcome(models.TextChoices):
    RESOLVED = "resolved", "Demande traitée"
    APPOINTMENT = "appointment", "Rendez-vous pris"
    DOCUMENTS_MISSING = "documents_missing", "Pièces manquantes"
    REDIRECTED = "redirected", "Orienté vers un partenaire"


class Ticket(models.Model):
    """A walk-in visitor's ticket (accueil sur flux)."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="tickets")
    day = models.DateField("jour")
    number = models.PositiveIntegerField("numéro")
    queue = models.CharField("file", max_length=10, choices=Queue.choices)
    reason = models.CharField("motif", max_length=15, choices=VisitReason.choices)
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets"
    )
    status = models.CharField(
        "statut", max_length=10, choices=TicketStatus.choices, default=TicketStatus.WAITING
    )
    arrived_at = models.DateTimeField("arrivée")
    called_at = models.DateTimeField("premier appel", null=True, blank=True)
    service_started_at = models.DateTimeField("début de l'entretien", null=True, blank=True)
    finished_at = models.DateTimeField("fin", null=True, blank=True)
    agent = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets"
    )
    sent_back = models.PositiveSmallIntegerField("renvois en file", default=0)
    transfers = models.PositiveSmallIntegerField("transferts", default=0)
    outcome = models.CharField(
        "issue", max_length=20, choices=TicketOutcome.choices, blank=True, default=""
    )

    class Meta:
        verbose_name = "ticket d'accueil"
        ordering = ["day", "site", "number"]
        indexes = [models.Index(fields=["site", "day", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["site", "day", "number"], name="ticket_number_unique"),
            models.CheckConstraint(condition=Q(queue__in=Queue.values), name="ticket_queue"),
            models.CheckConstraint(
                condition=Q(reason__in=VisitReason.values), name="ticket_reason"
            ),
            models.CheckConstraint(
                condition=Q(status__in=TicketStatus.values), name="ticket_status_known"
            ),
            models.CheckConstraint(
                condition=Q(called_at__isnull=True) | Q(called_at__gte=F("arrived_at")),
                name="ticket_called_after_arrival",
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | ~Q(outcome=""), name="ticket_done_has_outcome"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site.slug}-{self.day:%Y%m%d}-{self.number:03d}"

    @property
    def label(self) -> str:
        return f"{self.queue[0].upper()}{self.number:03d}"


class MessageKind(models.TextChoices):
    CONFIRMATION = "confirmation", "Confirmation"
    CHANGE = "change", "Modification"
    CANCELLATION = "cancellation", "Annulation"
    REMINDER = "reminder", "Rappel 48 h avant"


class MessageChannel(models.TextChoices):
    SMS = "sms", "SMS"
    EMAIL = "email", "Courriel"


class Notification(Outbound):
    """One message about an appointment to one recipient, with its delivery status (sent by the
    task queue: `reception/tasks.py`)."""

    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, related_name="notifications"
    )
    kind = models.CharField("nature", max_length=15, choices=MessageKind.choices)
    channel = models.CharField("canal", max_length=5, choices=MessageChannel.choices)
    recipient = models.CharField("destinataire", max_length=254)
    provider_id = models.CharField("identifiant chez le prestataire", max_length=100, blank=True)
    created_at = models.DateTimeField("créé le")

    class Meta:
        verbose_name = "notification"
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=MessageKind.values), name="notif_kind"),
            models.CheckConstraint(
                condition=Q(channel__in=MessageChannel.values), name="notif_channel"
            ),
            models.CheckConstraint(
                condition=Q(status__in=DeliveryStatus.values), name="notif_status"
            ),
            models.UniqueConstraint(
                fields=["appointment", "channel"],
                condition=Q(kind="reminder"),
                name="notif_one_reminder_per_channel",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.channel} rdv {self.appointment_id} : {self.status}"
