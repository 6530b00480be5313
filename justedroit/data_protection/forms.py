from django import forms
from django.core.exceptions import ValidationError

from justedroit.registry.models import HOUSEHOLD_NUMBER
from justedroit.registry.nir import validate_nir

FORMATS = [("html", "Lisible (page à imprimer ou enregistrer)"), ("json", "JSON (portabilité)")]


class SubjectForm(forms.Form):
    """The person whose data is asked: by NIR, or by numéro allocataire then member."""

    nir = forms.CharField(label="NIR", required=False, max_length=21)
    number = forms.CharField(
        label="Numéro allocataire", required=False, max_length=7, validators=[HOUSEHOLD_NUMBER]
    )
    person = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    format = forms.ChoiceField(label="Format", choices=FORMATS, initial="html")

    def clean_nir(self) -> str:
        nir = "".join(self.cleaned_data["nir"].split()).upper()
        return validate_nir(nir) if nir else ""

    def clean(self):
        data = super().clean()
        if not data.get("nir") and not data.get("number") and not self.errors:
            raise ValidationError("Indiquez un NIR ou un numéro allocataire.")
        return data
