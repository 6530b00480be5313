import datetime as dt

from django import forms

from justedroit.core import clock
from justedroit.core.audit import ConsultationReason
from justedroit.core.models import AuditAction
from justedroit.core.roles import Role
from justedroit.core.selectors import ReasonFilter
from justedroit.core.services import TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS
from justedroit.core.web import FIRST_YEAR


class SendRetryForm(forms.Form):
    kind = forms.CharField(max_length=100)
    pk = forms.IntegerField(min_value=1)


class AuditFilterForm(forms.Form):
    username = forms.CharField(label="Identifiant de l'agent", required=False, max_length=150)
    household_number = forms.RegexField(
        label="Numéro allocataire",
        regex=r"^\d{7}$",
        required=False,
        error_messages={"invalid": "Le numéro allocataire compte 7 chiffres."},
    )
    action = forms.ChoiceField(
        label="Action", required=False, choices=[("", "Toutes"), *AuditAction.choices]
    )
    role = forms.ChoiceField(
        label="Rôle de l'agent", required=False, choices=[("", "Tous"), *Role.choices]
    )
    reason = forms.ChoiceField(
        label="Motif", required=False, choices=[("", "Tous"), *ReasonFilter.choices]
    )
    date_from = forms.DateField(
        label="Du", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="Au", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        first, last = dt.date(FIRST_YEAR, 1, 1), clock.today() + dt.timedelta(days=366)
        for name in ("date_from", "date_to"):
            day = data.get(name)
            if day is not None and not first <= day <= last:
                self.add_error(
                    name, f"Choisissez une date entre {first:%d/%m/%Y} et {last:%d/%m/%Y}."
                )
        return data

    def filters(self) -> dict:
        return {key: value for key, value in self.cleaned_data.items() if value}


class ConsultationReasonForm(forms.Form):
    """Why the agent opens a household's file (sent by POST: never taken from a link)."""

    number = forms.RegexField(
        label="Numéro allocataire",
        regex=r"^\d{7}$",
        error_messages={"invalid": "Le numéro allocataire compte 7 chiffres."},
    )
    reason = forms.ChoiceField(
        label="Motif de la consultation",
        choices=[("", "— Choisir un motif —"), *ConsultationReason.choices],
    )
    precision = forms.CharField(label="Précision (facultatif)", required=False, max_length=200)

    def reason_text(self) -> str:
        label = ConsultationReason(self.cleaned_data["reason"]).label
        precision = self.cleaned_data["precision"].strip()
        return f"{label} : {precision}" if precision else label


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
