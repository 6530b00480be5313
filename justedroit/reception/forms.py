import datetime as dt

from django import forms
from django.db import models

from justedroit.core import clock
from justedroit.core.web import FIRST_YEAR
from justedroit.core.worklists import Sort, WorklistForm
from justedroit.reception.models import (
    AppointmentType,
    Channel,
    Queue,
    ResourceKind,
    Site,
    TicketOutcome,
    VisitReason,
)

NEED_CHOICES = [("", "Aucun"), *ResourceKind.choices]
BOOKING_HORIZON_DAYS = 730  # slots are opened at most a year or two ahead


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
        first = dt.date(FIRST_YEAR, 1, 1)
        last = clock.today() + dt.timedelta(days=BOOKING_HORIZON_DAYS)
        if day is not None and not first <= day <= last:
            raise forms.ValidationError(
                f"Choisissez une date entre le {first:%d/%m/%Y} et le {last:%d/%m/%Y}."
            )
        return day

    def start(self) -> dt.date:
        return self.cleaned_data.get("first_day") or clock.today()


class BookForm(forms.Form):
    type = forms.CharField(widget=forms.HiddenInput)
    site = forms.CharField(widget=forms.HiddenInput)
    starts_at = forms.DateTimeField(widget=forms.HiddenInput)
    need = forms.ChoiceField(choices=NEED_CHOICES, required=False, widget=forms.HiddenInput)
    agent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    household = forms.CharField(required=False, widget=forms.HiddenInput)
    contact_phone = forms.CharField(label="Téléphone portable (SMS)", required=False, max_length=20)
    contact_email = forms.EmailField(label="Courriel", required=False)


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
