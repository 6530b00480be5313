from django import forms

from justedroit.appeals.models import Channel, Choice, Judgment, Outcome, RequestKind
from justedroit.registry.models import Benefit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NUMBER = forms.RegexField(
    label="Numéro allocataire",
    regex=r"^\d{7}$",
    error_messages={"invalid": "Le numéro allocataire compte 7 chiffres."},
)


class IntakeForm(forms.Form):
    number = NUMBER
    kind = forms.ChoiceField(label="Nature", choices=RequestKind.choices)
    channel = forms.ChoiceField(label="Reçue par", choices=Channel.choices)
    benefit = forms.ChoiceField(label="Prestation", choices=Benefit.choices)
    debt = forms.IntegerField(label="N° de la dette (remise, indu)", required=False, min_value=1)
    contested_decision = forms.CharField(label="Décision contestée", max_length=300)
    notified_on = forms.DateField(label="Décision notifiée le", widget=DATE)
    received_on = forms.DateField(label="Reçue le", widget=DATE)
    grounds = forms.CharField(
        label="Motifs", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class InstructForm(forms.Form):
    proposal = forms.ChoiceField(
        label="Proposition (vide : règle de précarité)",
        choices=[("", "Règle de précarité"), *Outcome.choices],
        required=False,
    )
    proposed_amount = forms.DecimalField(
        label="Remise partielle proposée (€)", required=False, min_value=0, decimal_places=2
    )
    analysis = forms.CharField(
        label="Analyse du rapporteur", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class DayForm(forms.Form):
    on = forms.DateField(label="Date", widget=DATE)


class SessionForm(forms.Form):
    held_on = forms.DateField(label="Date de la séance", widget=DATE)
    members = forms.TypedMultipleChoiceField(
        label="Membres convoqués", coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [(m.pk, str(m)) for m in members]


class AgendaForm(forms.Form):
    cases = forms.TypedMultipleChoiceField(
        label="Recours instruits à inscrire", coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, cases=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].choices = [(c.pk, f"n° {c.pk} — {c.household.number}") for c in cases]


class AttendanceForm(forms.Form):
    present = forms.TypedMultipleChoiceField(
        label="Membres présents", coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [(m.pk, str(m)) for m in members]


class DecisionForm(forms.Form):
    case = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    outcome = forms.ChoiceField(label="Décision", choices=Outcome.choices)
    amount = forms.DecimalField(
        label="Montant remis (remise partielle)", required=False, min_value=0, decimal_places=2
    )
    reasons = forms.CharField(label="Motifs", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.members = list(members)
        for member in self.members:
            self.fields[f"vote_{member.pk}"] = forms.ChoiceField(
                label=f"Vote de {member.name}", choices=Choice.choices, initial=Choice.FOR
            )

    def votes(self) -> dict:
        return {m: self.cleaned_data[f"vote_{m.pk}"] for m in self.members}


class CourtCaseForm(forms.Form):
    number = NUMBER
    nature = forms.ChoiceField(
        label="Nature",
        choices=[
            ("contest", "Contestation d'une décision (après la CRA)"),
            ("penalty", "Pénalité administrative"),
            ("opposition", "Opposition à contrainte"),
        ],
    )
    benefit = forms.ChoiceField(label="Prestation", choices=Benefit.choices, required=False)
    appeal_case = forms.IntegerField(label="N° du recours CRA", required=False, min_value=1)
    debt = forms.IntegerField(label="N° de la dette", required=False, min_value=1)
    filed_on = forms.DateField(label="Saisine le", widget=DATE)
    reference = forms.CharField(label="N° de rôle", required=False, max_length=40)


class HearingForm(forms.Form):
    on = forms.DateField(label="Audience le", widget=DATE)
    pleadings_due = forms.DateField(label="Conclusions à rendre le", required=False, widget=DATE)
    note = forms.CharField(label="Objet", required=False, max_length=300)


class JudgmentForm(forms.Form):
    judgment = forms.ChoiceField(label="Jugement", choices=Judgment.choices)
    judged_on = forms.DateField(label="Rendu le", widget=DATE)
    amount_cancelled = forms.DecimalField(
        label="Indu annulé (jugement partiel)", required=False, min_value=0, decimal_places=2
    )


class AppealForm(forms.Form):
    filed_on = forms.DateField(label="Appel formé le", widget=DATE)
    by_caf = forms.BooleanField(label="Appel formé par la Caf", required=False)


class PortalRequestForm(forms.Form):
    kind = forms.ChoiceField(label="Je demande", choices=RequestKind.choices)
    debt = forms.TypedChoiceField(label="Dette concernée", coerce=int, required=False)
    benefit = forms.ChoiceField(label="Prestation", choices=Benefit.choices)
    contested_decision = forms.CharField(label="Décision que je conteste", max_length=300)
    notified_on = forms.DateField(label="Date du courrier de la Caf", widget=DATE)
    grounds = forms.CharField(label="Mes raisons", widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, debts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["debt"].choices = [("", "—")] + [
            (d.pk, f"n° {d.pk} — {d.get_benefit_display()}") for d in debts
        ]
