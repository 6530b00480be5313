from django import forms

from justedroit.fraud.models import (
    ComplaintStatus,
    FraudStatus,
    IntentElement,
    ObservationChannel,
    Qualification,
)

MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": 0}
MONTH = {"input_formats": ["%Y-%m"], "widget": forms.DateInput(attrs={"type": "month"})}
DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


class WorklistFilterForm(forms.Form):
    etat = forms.ChoiceField(
        label="État", required=False, choices=[("", "Ouverts (tous états)"), *FraudStatus.choices]
    )
    echeances = forms.BooleanField(label="Échéances passées ou proches seulement", required=False)


class OpenForm(forms.Form):
    """Open a file: from a control waiting for one (`control`), or from a report (`number`)."""

    control = forms.IntegerField(label="Contrôle d'origine", required=False, min_value=1)
    number = forms.RegexField(
        label="Numéro allocataire (signalement)",
        regex=r"^\d{7}$",
        required=False,
        error_messages={"invalid": "Le numéro allocataire compte 7 chiffres."},
    )
    report = forms.CharField(
        label="Signalement (sans contrôle d'origine)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    facts = forms.CharField(label="Faits établis", widget=forms.Textarea(attrs={"rows": 3}))
    first_month = forms.DateField(label="Période frauduleuse : du mois (AAAA-MM)", **MONTH)
    last_month = forms.DateField(label="au mois (AAAA-MM)", **MONTH)

    def clean(self):
        data = super().clean()
        if not data.get("control") and not data.get("number"):
            raise forms.ValidationError("Indiquez le contrôle d'origine ou le foyer signalé.")
        return data


class DeclineForm(forms.Form):
    """Not to open a file on a control waiting for one: the reason is required."""

    declined_control = forms.IntegerField(label="Contrôle", min_value=1)
    reason = forms.CharField(
        label="Motif de la décision de ne pas ouvrir de dossier",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class IntentForm(forms.Form):
    element = forms.ChoiceField(label="Élément", choices=IntentElement.choices)
    established = forms.BooleanField(label="Établi", required=False)
    evidence = forms.CharField(label="Preuve ou motif", widget=forms.Textarea(attrs={"rows": 2}))
    document = forms.IntegerField(label="Pièce à l'appui (n°, facultatif)", required=False)


class QualifyForm(forms.Form):
    qualification = forms.ChoiceField(label="Qualification", choices=Qualification.choices)
    regularised = forms.BooleanField(label="Situation régularisée", required=False)
    organised = forms.BooleanField(label="Bande organisée", required=False)
    reasons = forms.CharField(label="Motifs", widget=forms.Textarea(attrs={"rows": 3}))


class NoticeForm(forms.Form):
    amount = forms.DecimalField(
        label="Pénalité envisagée en € (vide : barème de la Caf)", required=False, **MONEY
    )


class ObservationForm(forms.Form):
    text = forms.CharField(
        label="Observations", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    hearing = forms.BooleanField(label="Demande à être entendu(e)", required=False)
    channel = forms.ChoiceField(label="Reçues par", choices=ObservationChannel.choices)


class PortalObservationForm(forms.Form):
    file = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(
        label="Vos observations", required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    hearing = forms.BooleanField(label="Je demande à être entendu(e)", required=False)


class OpinionForm(forms.Form):
    opinion = forms.CharField(
        label="Avis de la commission", widget=forms.Textarea(attrs={"rows": 3})
    )
    amount = forms.DecimalField(label="Montant proposé (€)", required=False, **MONEY)


class EmptyForm(forms.Form):
    pass


class FollowForm(forms.Form):
    status = forms.ChoiceField(
        label="Suite de la plainte",
        choices=[(k, v) for k, v in ComplaintStatus.choices if k != ComplaintStatus.FILED],
    )
    note = forms.CharField(label="Précisions", required=False)


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(
        label="Décision",
        choices=[
            ("none", "Pas de sanction"),
            ("warning", "Avertissement"),
            ("penalty", "Pénalité administrative"),
        ],
        widget=forms.RadioSelect,
    )
    amount = forms.DecimalField(label="Montant de la pénalité (€)", required=False, **MONEY)
    reasons = forms.CharField(label="Motifs", widget=forms.Textarea(attrs={"rows": 3}))


class ComplaintForm(forms.Form):
    filed_on = forms.DateField(label="Déposée le", **DATE)
    court = forms.CharField(label="Parquet saisi", max_length=150)
    reference = forms.CharField(label="Référence", required=False, max_length=60)
