from django import forms

from justedroit.registry.forms import MonthField


class RecomputeForm(forms.Form):
    first_month = MonthField(label="Du mois (AAAA-MM)")
    last_month = MonthField(label="Au mois (AAAA-MM)")
    reason = forms.CharField(label="Motif", max_length=300)

    def clean(self):
        data = super().clean()
        if (
            data.get("first_month")
            and data.get("last_month")
            and (data["last_month"] < data["first_month"])
        ):
            raise forms.ValidationError("Le mois de fin précède le mois de début.")
        return data
