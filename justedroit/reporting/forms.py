from django import forms

from justedroit.reporting.document import SECTIONS
from justedroit.reporting.models import ALT_MAX, SOURCE_MAX, TEXT_MAX


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
    image = forms.FileField(
        label="Image (facultative)",
        required=False,
        help_text="JPEG ou PNG, 2 Mo au plus ; le contenu du fichier est vérifié.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )
    image_alt = forms.CharField(
        label="Description de l'image",
        required=False,
        max_length=ALT_MAX,
        help_text="Ce que montre l'image, pour qui ne la voit pas : obligatoire avec une image.",
    )


class TargetForm(forms.Form):
    """The target of one of a dashboard's indicators for the year shown."""

    code = forms.ChoiceField(label="Indicateur")
    value = forms.DecimalField(
        label="Cible",
        required=False,
        max_digits=14,
        decimal_places=2,
        localize=True,
        help_text="Dans l'unité de l'indicateur (par exemple 90 pour 90 %). "
        "Vide : l'indicateur n'a plus de cible.",
    )
    source = forms.CharField(
        label="Source",
        max_length=SOURCE_MAX,
        help_text="D'où vient la cible (COG, plan de contrôle, note de la direction…) ou "
        "« hypothèse ».",
    )

    def __init__(self, *args, indicators: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = indicators
