from django import forms

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
    q = forms.CharField(label="Numéro allocataire, NIR ou nom", max_length=100)


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
