import datetime as dt
import unicodedata

from django import forms

from justedroit.core import clock
from justedroit.core.clock import parse_month
from justedroit.registry.models import FactKind, FactSource


class MonthField(forms.CharField):
    widget = forms.TextInput(attrs={"placeholder": "AAAA-MM", "inputmode": "numeric"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_month(value)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class SearchForm(forms.Form):
    """Sent by POST only: a NIR typed never reaches a URL. Paging posts the same form again."""

    q = forms.CharField(
        label="Numéro allocataire, NIR ou nom",
        max_length=100,
        required=False,
        error_messages={"max_length": "Saisissez au plus 100 caractères."},
    )
    birth_date = forms.DateField(
        label="Date de naissance d'un membre du foyer (facultatif)",
        required=False,
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        error_messages={
            "invalid": "Saisissez une date au format JJ/MM/AAAA, par exemple 30/12/1985."
        },
    )
    page = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=100_000,
        error_messages={
            "invalid": "Le numéro de page doit être un nombre entier.",
            "min_value": "Le numéro de page commence à 1.",
            "max_value": "Le numéro de page ne dépasse pas 100 000.",
        },
    )

    def clean_q(self) -> str:
        value = self.cleaned_data["q"]
        if any(unicodedata.category(c).startswith("C") for c in value):
            raise forms.ValidationError("La recherche contient des caractères non imprimables.")
        return value

    def clean_birth_date(self):
        day = self.cleaned_data["birth_date"]
        if day is not None and not dt.date(1900, 1, 1) <= day <= clock.today():
            raise forms.ValidationError(
                f"La date de naissance doit être comprise entre le 01/01/1900 et le "
                f"{clock.today():%d/%m/%Y}."
            )
        return day

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("q", "").strip() and data.get("birth_date") is None:
            raise forms.ValidationError(
                "Saisissez un numéro allocataire, un NIR, un nom ou une date de naissance."
            )
        return data


class FactForm(forms.Form):
    kind = forms.ChoiceField(label="Nature", choices=FactKind.choices)
    person = forms.ChoiceField(label="Personne", required=False)
    valid_from = MonthField(label="Valable à partir de (AAAA-MM)")
    valid_until = MonthField(label="Jusqu'à, exclu (AAAA-MM, facultatif)", required=False)
    amount = forms.DecimalField(
        label="Montant ou taux", required=False, max_digits=12, decimal_places=2
    )
    code = forms.CharField(label="Valeur codée", required=False, max_length=30)
    source = forms.ChoiceField(label="Source", choices=FactSource.choices)
    reason = forms.CharField(label="Motif", max_length=300)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "— le foyer —")] + [
            (str(m.person_id), f"{m.person} ({m.get_role_display()})") for m in members
        ]
