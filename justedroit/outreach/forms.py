from django import forms

from justedroit.outreach.services import PORTAL_DURATIONS_DAYS

DURATION_LABELS = {30: "1 mois", 90: "3 mois", 180: "6 mois", 365: "1 an"}
DURATION_CHOICES = [
    (days, f"{DURATION_LABELS[days]} ({days} jours)") for days in PORTAL_DURATIONS_DAYS
]


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

    household_number = forms.RegexField(
        label="Numéro allocataire",
        regex=r"^[0-9]{7}$",
        error_messages={"invalid": "Le numéro allocataire compte 7 chiffres."},
    )
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
