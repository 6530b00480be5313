from django import forms

from justedroit.channels.models import (
    ContactReason,
    DocumentChannel,
    DocumentKind,
    Outcome,
    Team,
)
from justedroit.channels.services.emails import CONTACT_MAX_CHARS
from justedroit.core.worklists import Sort, WorklistForm
from justedroit.registry.facts import RESOURCE_KINDS
from justedroit.registry.models import FactKind

FILE_KINDS = [(k, label) for k, label in DocumentKind.choices if k != "resources_declaration"]


class ReplyForm(forms.Form):
    body = forms.CharField(label="Réponse", widget=forms.Textarea(attrs={"rows": 6}))


class AssignForm(forms.Form):
    team = forms.ChoiceField(label="Équipe", choices=Team.choices)


class TriageLinkForm(forms.Form):
    household_number = forms.RegexField(
        label="Numéro allocataire du foyer",
        regex=r"^\d{7}$",
        error_messages={"invalid": "Le numéro allocataire compte 7 chiffres."},
    )
    sender_verified = forms.BooleanField(
        label="J'ai vérifié auprès de l'allocataire que cette adresse est la sienne : "
        "l'enregistrer comme adresse connue du foyer",
        required=False,
    )
    note = forms.CharField(label="Note (facultative)", required=False, max_length=300)


class TriageRejectForm(forms.Form):
    note = forms.CharField(
        label="Motif (indésirable, message mal adressé…)", max_length=300, strip=True
    )


class QuarantineDiscardForm(forms.Form):
    note = forms.CharField(label="Motif", max_length=300, strip=True)


class ProcessForm(forms.Form):
    outcome = forms.ChoiceField(
        label="Résultat",
        choices=[(Outcome.ACCEPTED, "Pris en compte"), (Outcome.REJECTED, "Refusé")],
    )
    note = forms.CharField(
        label="Note (obligatoire en cas de refus)", required=False, max_length=300
    )


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label="Type de document", choices=FILE_KINDS)
    file = forms.FileField(
        label="Fichier (PDF, JPEG ou PNG)",
        help_text="Le contenu du fichier est vérifié, quel que soit son nom.",
    )


class PaperDocumentForm(DocumentForm):
    household_number = forms.RegexField(
        label="Numéro allocataire",
        regex=r"^\d{7}$",
        error_messages={"invalid": "Le numéro allocataire compte 7 chiffres."},
    )


class ContactForm(forms.Form):
    reason = forms.ChoiceField(label="Motif", choices=ContactReason.choices)
    subject = forms.CharField(label="Objet", max_length=200)
    body = forms.CharField(
        label="Votre message",
        max_length=CONTACT_MAX_CHARS,
        help_text=f"{CONTACT_MAX_CHARS} caractères au plus.",
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "max_length": "Votre message compte %(show_value)d caractères : "
            "%(limit_value)d au plus."
        },
    )


class DeclarationForm(forms.Form):
    first_month = forms.RegexField(
        label="Premier mois du trimestre (AAAA-MM)",
        regex=r"^\d{4}-\d{2}$",
        error_messages={"invalid": "Format attendu AAAA-MM."},
    )
    person = forms.TypedChoiceField(label="Personne", coerce=int)
    kind = forms.ChoiceField(
        label="Ressource", choices=[(k, FactKind(k).label) for k in RESOURCE_KINDS]
    )
    amount_1 = forms.DecimalField(label="Montant du 1er mois (€)", min_value=0, decimal_places=2)
    amount_2 = forms.DecimalField(label="Montant du 2e mois (€)", min_value=0, decimal_places=2)
    amount_3 = forms.DecimalField(label="Montant du 3e mois (€)", min_value=0, decimal_places=2)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [
            (m.person_id, f"{m.person.first_name} {m.person.last_name}") for m in members
        ]


def _any(choices) -> list[tuple[str, str]]:
    return [("", "Toutes"), *choices]


class ThreadWorklistForm(WorklistForm):
    sorts = {
        "recu": Sort("Date de réception", ("opened_at",)),
        "equipe": Sort("Équipe", ("team", "opened_at")),
    }
    default_sort = "recu"
    team = forms.ChoiceField(label="Équipe", required=False, choices=_any(Team.choices))
    reason = forms.ChoiceField(label="Motif", required=False, choices=_any(ContactReason.choices))

    def narrow(self, tasks):
        data = self.cleaned_data
        return tasks.filter(
            **{key: data[key] for key in ("team", "reason") if data.get(key)},
        )


class DocumentWorklistForm(WorklistForm):
    sorts = {
        "recu": Sort("Date de réception", ("received_at",)),
        "type": Sort("Type de document", ("kind", "received_at")),
    }
    default_sort = "recu"
    kind = forms.ChoiceField(label="Type", required=False, choices=_any(DocumentKind.choices))
    channel = forms.ChoiceField(
        label="Canal", required=False, choices=_any(DocumentChannel.choices)
    )

    def narrow(self, tasks):
        data = self.cleaned_data
        return tasks.filter(**{key: data[key] for key in ("kind", "channel") if data.get(key)})


class CallbackWorklistForm(WorklistForm):
    sorts = {"demande": Sort("Date de la demande", ("requested_at",))}
    default_sort = "demande"
    reason = forms.ChoiceField(label="Motif", required=False, choices=_any(ContactReason.choices))

    def narrow(self, tasks):
        reason = self.cleaned_data.get("reason")
        return tasks.filter(reason=reason) if reason else tasks


class TaskKind:
    THREAD = "courriel"
    DOCUMENT = "document"
    CALLBACK = "rappel"
    CHOICES = [(THREAD, "Courriel"), (DOCUMENT, "Document"), (CALLBACK, "Rappel")]


class TaskAssignForm(forms.Form):
    """Take a task, release it, or (a manager) give it to an agent: `agent` is a username, or
    empty to release."""

    kind = forms.ChoiceField(choices=TaskKind.CHOICES)
    task = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    agent = forms.CharField(label="Attribuer à", required=False, max_length=150)
