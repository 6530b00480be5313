import datetime as dt

from django import forms
from django.db import models
from django.utils.http import urlencode

from justedroit.core import clock
from justedroit.core.web import FIRST_YEAR
from justedroit.core.worklists import Sort, WorklistForm
from justedroit.reception import selectors
from justedroit.reception.models import (
    AccessibilityResource,
    AppointmentType,
    Channel,
    Queue,
    ResourceKind,
    Site,
    TicketOutcome,
    VisitReason,
)
from justedroit.registry.models import Commune

NEED_CHOICES = [("", "Aucun"), *ResourceKind.choices]
BOOKING_HORIZON_DAYS = 730  # slots are opened at most a year or two ahead


def day_refusal(day: dt.date, last: dt.date) -> str | None:
    """The French refusal of a day outside the years the platform serves (a typo such as 0202,
    or beyond `last`); None for a day within them."""
    first = dt.date(FIRST_YEAR, 1, 1)
    if first <= day <= last:
        return None
    return f"Choisissez une date entre le {first:%d/%m/%Y} et le {last:%d/%m/%Y}."


class DayAction(models.TextChoices):
    """The buttons of the day screen (marking an appointment sends its AppointmentStatus)."""

    ISSUE = "issue", "Remettre un ticket"
    CALL_NEXT = "call_next", "Appeler le suivant"
    SERVE = "serve", "Recevoir"
    TRANSFER = "transfer", "Transférer à l'autre file"
    SEND_BACK = "send_back", "Renvoyer en file"
    TICKET_NO_SHOW = "ticket_no_show", "Absent ou parti"
    CLOSE = "close", "Clore la visite"
    CHECK_IN = "check_in", "Arrivée"
    REVOKE = "revoke", "Annuler (Caf)"


class SlotSearchForm(forms.Form):
    """Search free slots (GET): works without JavaScript."""

    type = forms.ModelChoiceField(
        label="Motif", queryset=AppointmentType.objects.all(), to_field_name="code"
    )
    site = forms.ModelChoiceField(
        label="Lieu",
        queryset=Site.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label="Tous les lieux",
    )
    first_day = forms.DateField(
        label="À partir du", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    need = forms.ChoiceField(
        label="Besoin d'accessibilité",
        choices=NEED_CHOICES,
        required=False,
        help_text="Malentendant : un interprète LSF ou un relais écrit sera présent.",
    )

    def __init__(self, *args, types=None, **kwargs):
        super().__init__(*args, **kwargs)
        if types is not None:
            self.fields["type"].queryset = types

    def clean_first_day(self):
        day = self.cleaned_data["first_day"]
        refusal = day and day_refusal(day, clock.today() + dt.timedelta(days=BOOKING_HORIZON_DAYS))
        if refusal:
            raise forms.ValidationError(refusal)
        return day

    def start(self) -> dt.date:
        return self.cleaned_data.get("first_day") or clock.today()

    def search(self) -> selectors.SlotSearch | None:
        """What was asked, for `selectors.search_grid`; None without a valid search."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        return selectors.SlotSearch(data["type"], data["site"], self.start(), data["need"])

    def later(self) -> str:
        """The query string of the next GRID_DAYS' grid ("" without a valid search)."""
        if not self.is_valid():
            return ""
        later = self.start() + dt.timedelta(days=selectors.GRID_DAYS)
        return urlencode({**dict(self.data.items()), "first_day": later.isoformat()})


UNKNOWN_SLOT = "Créneau inconnu : choisissez à nouveau un créneau."


class BookForm(forms.Form):
    type = forms.CharField(widget=forms.HiddenInput)
    site = forms.CharField(widget=forms.HiddenInput)
    starts_at = forms.DateTimeField(widget=forms.HiddenInput)
    need = forms.ChoiceField(choices=NEED_CHOICES, required=False, widget=forms.HiddenInput)
    agent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    household = forms.CharField(required=False, widget=forms.HiddenInput)
    contact_phone = forms.CharField(label="Téléphone portable (SMS)", required=False, max_length=20)
    contact_email = forms.EmailField(label="Courriel", required=False)

    def choice(self, types=None) -> tuple[AppointmentType, Site]:
        """The motif (among `types`) and the site of the chosen slot, or a French refusal when
        they are unknown or a field of the slot (all hidden) is unreadable. The contact fields
        may be wrong: the slot is shown again with their errors."""
        if any(field.errors for field in self.hidden_fields()):
            raise forms.ValidationError(UNKNOWN_SLOT)
        appointment_type = selectors.appointment_type_by_code(
            self.cleaned_data["type"], among=types
        )
        site = selectors.site_by_slug(self.cleaned_data["site"])
        if appointment_type is None or site is None:
            raise forms.ValidationError(UNKNOWN_SLOT)
        return appointment_type, site


class TicketForm(forms.Form):
    queue = forms.ChoiceField(label="File", choices=Queue.choices)
    reason = forms.ChoiceField(label="Motif de la visite", choices=VisitReason.choices)
    household = forms.CharField(label="Numéro allocataire (si connu)", required=False, max_length=7)


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label="Issue", choices=TicketOutcome.choices)


class UnmarkedWorklistForm(WorklistForm):
    """The agent's own appointments to mark: no assignment (each is the agent's already)."""

    assignable = False
    sorts = {"date": Sort("Date du rendez-vous", ("starts_at",))}
    default_sort = "-date"
    channel = forms.ChoiceField(
        label="Canal", required=False, choices=[("", "Tous"), *Channel.choices]
    )

    def narrow(self, tasks):
        channel = self.cleaned_data.get("channel")
        return tasks.filter(channel=channel) if channel else tasks


# ---- planning (managers): each form checks its fields; the service checks the whole ------------
WEEKDAYS = [
    (0, "lundi"),
    (1, "mardi"),
    (2, "mercredi"),
    (3, "jeudi"),
    (4, "vendredi"),
    (5, "samedi"),
    (6, "dimanche"),
]


def _day_field(label: str, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, widget=forms.DateInput(attrs={"type": "date"})
    )


def _time_field(label: str, *, required: bool = True) -> forms.TimeField:
    return forms.TimeField(
        label=label, required=required, widget=forms.TimeInput(attrs={"type": "time"})
    )


def _refuse_nul(values, field) -> None:
    """A NUL byte never names a row (and PostgreSQL refuses it in a query): an invalid choice."""
    if any("\x00" in str(v) for v in values):
        raise forms.ValidationError(
            field.error_messages["invalid_choice"], code="invalid_choice", params={"value": "?"}
        )


class ChoiceOfRow(forms.ModelChoiceField):
    def to_python(self, value):
        _refuse_nul([value], self)
        return super().to_python(value)


class ChoicesOfRows(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        _refuse_nul(value, self)
        return super()._check_values(value)


class PlanningForm(forms.Form):
    """Dates within the years the platform serves (a typo such as 0202 is refused)."""

    def clean(self):
        data = super().clean()
        last = clock.today() + dt.timedelta(days=3650)
        for name, value in list(data.items()):
            refusal = isinstance(value, dt.date) and day_refusal(value, last)
            if refusal:
                self.add_error(name, refusal)
        return data


class OpeningSlotForm(PlanningForm):
    agent = ChoiceOfRow(label="Agent", queryset=None, to_field_name="username")
    site = ChoiceOfRow(label="Lieu", queryset=Site.objects.all(), to_field_name="slug")
    types = ChoicesOfRows(
        label="Motifs",
        queryset=AppointmentType.objects.all(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
    )
    weekday = forms.TypedChoiceField(label="Jour", choices=WEEKDAYS, coerce=int)
    starts = _time_field("Début")
    ends = _time_field("Fin")
    first_day = _day_field("À partir du")
    last_day = _day_field("Jusqu'au (facultatif)", required=False)
    every_weeks = forms.IntegerField(label="Toutes les (semaines)", min_value=1, max_value=4)
    resource = ChoiceOfRow(
        label="Ressource d'accessibilité présente",
        queryset=AccessibilityResource.objects.all(),
        required=False,
        empty_label="Aucune",
    )

    def __init__(self, *args, agents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = agents

    def clean(self):
        data = super().clean()
        last, first = data.get("last_day"), data.get("first_day")
        if last is not None and first is not None and last < first:
            self.add_error("last_day", "La fin de la plage précède son début.")
        return data


class SlotCancelForm(PlanningForm):
    """Cancel one occurrence of an opening slot (the agent is away that day only)."""

    slot = forms.IntegerField(widget=forms.HiddenInput)
    day = _day_field("Jour annulé")


class AbsenceForm(PlanningForm):
    agent = ChoiceOfRow(label="Agent", queryset=None, to_field_name="username")
    first_day = _day_field("Du")
    last_day = _day_field("Au")
    starts = _time_field("De (facultatif : toute la journée)", required=False)
    ends = _time_field("À (facultatif)", required=False)
    weekly = forms.BooleanField(label="Chaque semaine, le même jour", required=False)
    reason = forms.CharField(label="Motif", max_length=200, required=False)

    def __init__(self, *args, agents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = agents


class ClosureForm(PlanningForm):
    site = ChoiceOfRow(label="Lieu", queryset=Site.objects.all(), to_field_name="slug")
    first_day = _day_field("Du")
    last_day = _day_field("Au")
    reason = forms.CharField(label="Motif", max_length=200)


class OpeningHoursForm(PlanningForm):
    site = ChoiceOfRow(label="Lieu", queryset=Site.objects.all(), to_field_name="slug")
    weekday = forms.TypedChoiceField(label="Jour", choices=WEEKDAYS, coerce=int)
    opens = _time_field("Ouverture")
    closes = _time_field("Fermeture")


class PermanenceForm(PlanningForm):
    name = forms.CharField(label="Nom", max_length=100, help_text="Ex. : Permanence de Chauvigny.")
    commune = ChoiceOfRow(label="Commune", queryset=Commune.objects.all(), empty_label="Choisissez")
    address = forms.CharField(
        label="Adresse", max_length=200, help_text="Ex. : Maison France Services, 86300 Chauvigny."
    )
    offers_walk_in = forms.BooleanField(label="Reçoit sans rendez-vous", required=False)
    offers_appointments = forms.BooleanField(label="Reçoit sur rendez-vous", required=False)
