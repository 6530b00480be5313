from django import forms

from justedroit.core.models import AuditAction
from justedroit.core.services import TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS


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


class ApiTokenCreateForm(forms.Form):
    user = forms.ModelChoiceField(
        label="Compte partenaire", queryset=None, empty_label="Choisissez un compte"
    )
    label = forms.CharField(label="Usage du jeton", max_length=100, required=False)
    valid_days = forms.IntegerField(
        label="Validité (jours)", min_value=1, max_value=TOKEN_MAX_DAYS, initial=TOKEN_DEFAULT_DAYS
    )

    def __init__(self, *args, partner_accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = partner_accounts


class ApiTokenRevokeForm(forms.Form):
    token = forms.IntegerField(min_value=1, max_value=2**63 - 1)
