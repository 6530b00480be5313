from django import forms

from justedroit.reporting.document import SECTIONS
from justedroit.reporting.models import TEXT_MAX


class SectionTextForm(forms.Form):
    section = forms.ChoiceField(label="Section", choices=[(s.slug, s.title) for s in SECTIONS])
    text = forms.CharField(
        label="Texte libre de la section",
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Affiché en tête de la section, dans cette version du rapport. "
        "Vide : aucun texte.",
    )


class NewsItemForm(forms.Form):
    published_on = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    title = forms.CharField(label="Titre", max_length=200)
    text = forms.CharField(
        label="Texte", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
