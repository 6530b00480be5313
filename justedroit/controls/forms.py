from django import forms

from justedroit.channels.forms import FILE_KINDS
from justedroit.controls.models import ControlKind, ControlStatus, Finding, ResponseChannel
from justedroit.core import clock
from justedroit.registry.facts import RESOURCE_KINDS

OPENABLE_KINDS = [(k, label) for k, label in ControlKind.choices if k != ControlKind.AUTOMATED]


class WorklistFilterForm(forms.Form):
    nature = forms.ChoiceField(
        label="Nature", required=False, choices=[("", "Toutes"), *OPENABLE_KINDS]
    )
    etat = forms.ChoiceField(
        label="État",
        required=False,
        choices=[("", "Ouverts (tous états)"), *ControlStatus.choices],
    )
    mes_controles = forms.BooleanField(label="Mes contrôles seulement", required=False)
    tri = forms.ChoiceField(
        label="Trier par",
        required=False,
        choices=[
            ("echeance", "Échéance la plus proche"),
            ("-echeance", "Échéance la plus lointaine"),
            ("ouverture", "Ouverture la plus ancienne"),
            ("-ouverture", "Ouverture la plus récente"),
            ("foyer", "Numéro allocataire"),
        ],
    )


class OpenForm(forms.Form):
    number = forms.RegexField(
        label="Numéro allocataire",
        regex=r"^\d{7}$",
        error_messages={"invalid": "Le numéro allocataire compte 7 chiffres."},
    )
    kind = forms.ChoiceField(label="Nature du contrôle", choices=OPENABLE_KINDS)
    reason = forms.CharField(label="Motif du signalement", max_length=300)


class RequestForm(forms.Form):
    documents = forms.MultipleChoiceField(
        label="Pièces demandées", choices=FILE_KINDS, widget=forms.CheckboxSelectMultiple
    )
    deadline = forms.DateField(
        label="À fournir avant le (vide : dans 30 jours)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    message = forms.CharField(
        label="Précisions (facultatives)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class LinkDocumentForm(forms.Form):
    request = forms.IntegerField(label="Demande", min_value=1, widget=forms.HiddenInput)
    document = forms.IntegerField(label="Numéro du document reçu", min_value=1)


class AssignForm(forms.Form):
    username = forms.CharField(
        label="Identifiant du contrôleur (vide : contrôleur assermenté du secteur)",
        required=False,
        max_length=150,
    )


class VisitForm(forms.Form):
    scheduled_for = forms.DateTimeField(
        label="Date et heure de la visite",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    place = forms.CharField(label="Lieu", max_length=200, initial="Au domicile de l'allocataire")

    def clean_scheduled_for(self):
        value = self.cleaned_data["scheduled_for"]
        return value.astimezone(clock.PARIS)


class VisitReportForm(forms.Form):
    visited_on = forms.DateField(
        label="Date de la visite", widget=forms.DateInput(attrs={"type": "date"})
    )
    allocataire_present = forms.BooleanField(label="L'allocataire était présent", required=False)
    composition = forms.ChoiceField(
        label="Composition du foyer", choices=Finding.choices, widget=forms.RadioSelect
    )
    composition_found = forms.CharField(
        label="Composition constatée", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    resources = forms.ChoiceField(
        label="Ressources", choices=Finding.choices, widget=forms.RadioSelect
    )
    resources_found = forms.CharField(
        label="Ressources constatées", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    housing = forms.ChoiceField(label="Logement", choices=Finding.choices, widget=forms.RadioSelect)
    housing_found = forms.CharField(
        label="Logement constaté", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    observations = forms.CharField(label="Observations", widget=forms.Textarea(attrs={"rows": 5}))


class FindingsForm(forms.Form):
    findings = forms.CharField(
        label="Constats notifiés à l'allocataire", widget=forms.Textarea(attrs={"rows": 4})
    )


class ResponseForm(forms.Form):
    text = forms.CharField(
        label="Observations de l'allocataire", widget=forms.Textarea(attrs={"rows": 4})
    )
    channel = forms.ChoiceField(
        label="Reçues par",
        choices=[(k, v) for k, v in ResponseChannel.choices if k != ResponseChannel.PORTAL],
    )


class CloseForm(forms.Form):
    """One established resource at most from this form (the common case); none: no change."""

    person = forms.TypedChoiceField(label="Personne", coerce=int, required=False, empty_value=None)
    kind = forms.ChoiceField(
        label="Ressource établie",
        required=False,
        choices=[("", "Aucune (sans incidence)"), *[(k.value, k.label) for k in RESOURCE_KINDS]],
    )
    first_month = forms.CharField(label="Du mois (AAAA-MM)", required=False, max_length=7)
    last_month = forms.CharField(label="Au mois inclus (AAAA-MM)", required=False, max_length=7)
    amount = forms.DecimalField(
        label="Montant mensuel (€)", required=False, min_value=0, max_digits=12, decimal_places=2
    )
    suspected_fraud = forms.BooleanField(
        label="Suspicion de fraude : transmettre au service fraude", required=False
    )
    note = forms.CharField(label="Conclusion", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "—")] + [
            (m.person_id, str(m.person)) for m in members
        ]

    def clean(self):
        data = super().clean()
        if not data.get("kind"):
            return data
        missing = [
            n
            for n in ("person", "first_month", "last_month", "amount")
            if data.get(n) in (None, "")
        ]
        if missing:
            raise forms.ValidationError("Pour établir une ressource, remplissez tous ses champs.")
        try:
            data["first"] = clock.parse_month(data["first_month"])
            data["last"] = clock.parse_month(data["last_month"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        if data["last"] < data["first"]:
            raise forms.ValidationError("Le mois de fin précède le mois de début.")
        return data


class PortalUploadForm(forms.Form):
    request = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label="Type de pièce", choices=FILE_KINDS)
    file = forms.FileField(
        label="Fichier (PDF, JPEG ou PNG)",
        help_text="Le contenu du fichier est vérifié, quel que soit son nom.",
    )


class PortalResponseForm(forms.Form):
    control = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    text = forms.CharField(label="Vos observations", widget=forms.Textarea(attrs={"rows": 5}))


class TargetingDecisionForm(forms.Form):
    """A person's decision on one household of the scored list."""

    score = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label="Décision",
        choices=[("selected", "Ouvrir un contrôle"), ("set_aside", "Écarter ce foyer")],
        widget=forms.RadioSelect,
    )
    kind = forms.ChoiceField(label="Nature du contrôle", choices=OPENABLE_KINDS, required=False)
    reason = forms.CharField(
        label="Motif (obligatoire pour écarter)", max_length=300, required=False
    )
