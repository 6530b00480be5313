from decimal import Decimal

from django import forms

from justedroit.core import clock
from justedroit.recovery.models import EntryKind, Stage
from justedroit.recovery.services import MANUAL


class MovementForm(forms.Form):
    """A movement entered by hand, the amount typed twice (double entry check)."""

    debt = forms.IntegerField(label="Dette n°", min_value=1)
    kind = forms.ChoiceField(label="Mouvement", choices=[(k, EntryKind(k).label) for k in MANUAL])
    amount = forms.DecimalField(
        label="Montant (€)", min_value=Decimal("0.01"), max_digits=12, decimal_places=2
    )
    amount_again = forms.DecimalField(
        label="Montant, saisi une seconde fois (€)", max_digits=12, decimal_places=2
    )
    on = forms.DateField(label="Date d'effet (JJ/MM/AAAA)", initial=clock.today)
    reference = forms.CharField(
        label="Référence (virement, décision)", max_length=100, required=False
    )
    reason = forms.CharField(label="Motif", max_length=300)
    creditor_consent = forms.BooleanField(
        label="Accord de la Caf créancière (effacement d'une dette frauduleuse)", required=False
    )

    def clean(self):
        data = super().clean()
        if (
            data.get("amount") is not None
            and data.get("amount_again") is not None
            and data["amount"] != data["amount_again"]
        ):
            raise forms.ValidationError("Les deux saisies du montant diffèrent : vérifiez-le.")
        return data


class PlanForm(forms.Form):
    debt = forms.IntegerField(label="Dette n°", min_value=1)
    months = forms.IntegerField(label="Nombre d'échéances mensuelles", min_value=1, max_value=60)
    first_due = forms.DateField(label="Première échéance (JJ/MM/AAAA)")
    decision = forms.CharField(
        label="Décision motivée (obligatoire au-delà de 12 mois)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class StepForm(forms.Form):
    debt = forms.IntegerField(label="Dette n°", min_value=1)
    stage = forms.ChoiceField(label="Étape", choices=Stage.choices)
    on = forms.DateField(label="Date (JJ/MM/AAAA)")
    costs = forms.DecimalField(
        label="Frais (€)", min_value=Decimal(0), max_digits=12, decimal_places=2, initial=0
    )
    note = forms.CharField(label="Observation", max_length=300, required=False)
