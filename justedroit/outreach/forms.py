from django import forms

from justedroit.outreach.models import ActionOutcomeKind
from justedroit.outreach.services import PORTAL_DURATIONS_DAYS
from justedroit.outreach.services.network import AGENDA_MAX, REPORT_MAX
from justedroit.registry.models import Benefit, Commune

DURATION_LABELS = {30: "1 mois", 90: "3 mois", 180: "6 mois", 365: "1 an"}
DURATION_CHOICES = [
    (days, f"{DURATION_LABELS[days]} ({days} jours)") for days in PORTAL_DURATIONS_DAYS
]


def _household_number(label: str, *, required: bool = True) -> forms.RegexField:
    return forms.RegexField(
        label=label,
        regex=r"^[0-9]{7}$",
        required=required,
        error_messages={"invalid": "Le numéro allocataire compte 7 chiffres."},
    )


class _PartnerChoice(forms.ModelChoiceField):
    def label_from_instance(self, partner):
        return f"{partner.name} — {partner.get_kind_display()}, {partner.commune.name}"


class MandateGrantForm(forms.Form):
    """The allocataire gives a mandate to a partner (portal, no JavaScript)."""

    partner = _PartnerChoice(label="Partenaire", queryset=None, empty_label="Choisissez")
    days = forms.TypedChoiceField(label="Durée", choices=DURATION_CHOICES, coerce=int, initial=365)

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners


class MandateRecordForm(forms.Form):
    """An agent records a mandate signed on paper."""

    household_number = _household_number("Numéro allocataire")
    partner = _PartnerChoice(label="Partenaire", queryset=None, empty_label="Choisissez")
    evidence = forms.CharField(
        label="Pièce justificative",
        max_length=300,
        help_text="Ex. : mandat signé le 12/01/2023, numérisé dans le dossier.",
    )
    valid_until = forms.DateField(
        label="Valable jusqu'au (inclus)", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, partners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partners


class MandateRevokeForm(forms.Form):
    mandate = forms.IntegerField(min_value=1, max_value=2**63 - 1)


class _Date(forms.DateField):
    def __init__(self, label: str, **kwargs):
        super().__init__(
            label=label,
            widget=forms.DateInput(attrs={"type": "date"}),
            error_messages={"invalid": "Date attendue au format JJ/MM/AAAA."},
            **kwargs,
        )


def _file(label: str, *, required: bool = True) -> forms.FileField:
    return forms.FileField(
        label=label,
        required=required,
        help_text="PDF, JPEG ou PNG ; le contenu du fichier est vérifié, quel que soit son nom.",
    )


class MeetingPlanForm(forms.Form):
    """The access-to-rights team plans a monthly information meeting."""

    held_on = _Date("Date de la réunion")
    title = forms.CharField(label="Titre", max_length=200)
    agenda = forms.CharField(
        label="Ordre du jour (actualités législatives et techniques)",
        max_length=AGENDA_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    material = _file("Support de la réunion (facultatif)", required=False)


class MaterialForm(forms.Form):
    """A new version of the information material the partners download."""

    title = forms.CharField(label="Titre du support", max_length=200)
    file = _file("Fichier du support")


class AttendanceForm(forms.Form):
    present = forms.TypedMultipleChoiceField(
        label="Partenaires présents",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Ce partenaire n'était pas invité à la réunion."},
    )

    def __init__(self, *args, invitations, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["present"]
        field.choices = [(i.partner_id, i.partner.name) for i in invitations]
        field.initial = [i.partner_id for i in invitations if i.attended]


class ActionForm(forms.Form):
    """A collective action on request: a talk, or a series of permanences with a partner."""

    title = forms.CharField(label="Intitulé", max_length=200)
    requested_by = forms.CharField(label="À la demande de", max_length=200)
    audience = forms.CharField(label="Public", max_length=300)
    place = forms.CharField(label="Lieu", max_length=300)
    commune = forms.ModelChoiceField(
        label="Commune", queryset=Commune.objects.all(), empty_label="Choisissez"
    )
    co_organisers = forms.CharField(
        label="Avec (partenaires associés)",
        max_length=300,
        required=False,
        help_text="Ex. : Cpam de la Vienne, pour des permanences communes.",
    )
    first_day = _Date("Du")
    last_day = _Date("Au (inclus)")


class SessionForm(forms.Form):
    """One session (a talk, a permanence) held and how many people came."""

    held_on = _Date("Date de la séance")
    people_received = forms.IntegerField(label="Personnes reçues", min_value=0, max_value=10_000)


class OutcomeForm(forms.Form):
    """A right the action led to; tied to a household only with the person's consent."""

    session = forms.ModelChoiceField(label="Séance", queryset=None, empty_label="Choisissez")
    kind = forms.ChoiceField(label="Résultat", choices=ActionOutcomeKind.choices)
    benefit = forms.ChoiceField(
        label="Prestation", choices=[("", "Non précisée"), *Benefit.choices], required=False
    )
    household_number = _household_number("Numéro allocataire (facultatif)", required=False)
    consent = forms.BooleanField(
        label="La personne accepte que ce résultat soit rattaché à son dossier",
        required=False,
    )

    def __init__(self, *args, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions


class ActionReportForm(forms.Form):
    report = forms.CharField(
        label="Bilan de l'action",
        max_length=REPORT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
