from django import forms

from justedroit.core.models import AuditAction


class SendRetryForm(forms.Form):
    kind = forms.CharField(max_length=100)
    pk = forms.IntegerField(min_value=1)


class AuditFilterForm(forms.Form):
    username = forms.CharField(label="Identifiant de l'agent", required=False)
    household_number = forms.RegexField(
        label="Numéro allocataire",
        regex=r"^\d{7}$",
        required=False,
        error_messages={"invalid": "Le numéro allocataire compte 7 chiffres."},
    )
    action = forms.ChoiceField(
        label="Action", required=False, choices=[("", "Toutes"), *AuditAction.choices]
    )
    date_from = forms.DateField(
        label="Du", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="Au", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def filters(self) -> dict:
        return {key: value for key, value in self.cleaned_data.items() if value}
