from decimal import Decimal

from django import forms

from justedroit.core.models import User
from justedroit.core.roles import AGENT_ROLES, Role
from justedroit.quality.models import ActionKind, ErrorNature, ErrorOrigin, Method, Stratum
from justedroit.registry.facts import RESOURCE_KINDS
from justedroit.registry.models import FactKind


class PlanForm(forms.Form):
    name = forms.CharField(label="Libellé", max_length=120)
    period_start = forms.DateField(label="Actes traités du (JJ/MM/AAAA)")
    period_end = forms.DateField(label="au (exclu)")
    method = forms.ChoiceField(label="Méthode", choices=Method.choices)
    stratify_by = forms.ChoiceField(
        label="Strates (plan stratifié)", choices=[("", "—"), *Stratum.choices], required=False
    )
    expected_rate = forms.DecimalField(
        label="Taux d'erreur attendu (ou tolérable, découverte)",
        initial=Decimal("0.06"),
        min_value=Decimal("0.001"),
        max_value=Decimal("0.999"),
        decimal_places=3,
    )
    margin = forms.DecimalField(
        label="Précision voulue (±)",
        initial=Decimal("0.02"),
        min_value=Decimal("0.001"),
        max_value=Decimal("0.999"),
        decimal_places=3,
    )
    size = forms.IntegerField(
        label="Taille imposée (sinon calculée)", required=False, min_value=1, max_value=100_000
    )
    seed = forms.IntegerField(
        label="Graine (pour refaire un tirage)", required=False, min_value=0, max_value=2**62
    )


class ReviewForm(forms.Form):
    in_error = forms.TypedChoiceField(
        label="Résultat",
        choices=[("0", "Sans erreur"), ("1", "En erreur")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    nature = forms.ChoiceField(
        label="Nature de l'erreur", choices=[("", "—"), *ErrorNature.choices], required=False
    )
    origin = forms.ChoiceField(
        label="Origine", choices=[("", "—"), *ErrorOrigin.choices], required=False
    )
    financial = forms.BooleanField(label="Incidence financière", required=False)
    impact = forms.DecimalField(
        label="Incidence (€, si aucun fait corrigé)",
        required=False,
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
    )
    correction_kind = forms.ChoiceField(
        label="Fait corrigé : nature",
        choices=[("", "—"), *[(k, FactKind(k).label) for k in RESOURCE_KINDS]],
        required=False,
    )
    correction_from = forms.DateField(label="valable à partir du (1er du mois)", required=False)
    correction_until = forms.DateField(label="jusqu'au (1er du mois, exclu)", required=False)
    correction_amount = forms.DecimalField(
        label="montant corrigé (€)", required=False, max_digits=12, decimal_places=2
    )
    note = forms.CharField(label="Observation", required=False, max_length=500)


class SupervisionForm(forms.Form):
    agent = forms.ModelChoiceField(
        label="Agent supervisé",
        queryset=User.objects.filter(role=Role.CASE_WORKER, is_active=True).order_by("username"),
    )
    month = forms.DateField(label="Mois traité (1er du mois, JJ/MM/AAAA)")
    size = forms.IntegerField(label="Dossiers à superviser", initial=5, min_value=1, max_value=200)


class ActionForm(forms.Form):
    kind = forms.ChoiceField(label="Nature", choices=ActionKind.choices)
    title = forms.CharField(label="Intitulé", max_length=200)
    agent = forms.ModelChoiceField(
        label="Agent concerné (facultatif)",
        required=False,
        queryset=User.objects.filter(role=Role.CASE_WORKER, is_active=True).order_by("username"),
    )
    owner = forms.ModelChoiceField(
        label="Responsable",
        queryset=User.objects.filter(role__in=AGENT_ROLES, is_active=True).order_by("username"),
    )
    due_date = forms.DateField(label="Échéance (JJ/MM/AAAA)")


class CloseActionForm(forms.Form):
    note = forms.CharField(label="Bilan", max_length=500)


class PilotForm(forms.Form):
    pilot = forms.ModelChoiceField(
        label="Pilote du processus",
        queryset=User.objects.filter(role=Role.PROCESS_PILOT, is_active=True).order_by("username"),
    )


class ProcessActionForm(forms.Form):
    title = forms.CharField(label="Intitulé de l'action", max_length=200)
    owner = forms.ModelChoiceField(
        label="Responsable",
        queryset=User.objects.filter(role__in=AGENT_ROLES, is_active=True).order_by("username"),
    )
    due_date = forms.DateField(label="Échéance (JJ/MM/AAAA)")


class TargetForm(forms.Form):
    """The target of one indicator of the process (its own prefix: one form per indicator)."""

    target = forms.DecimalField(
        label="Cible",
        required=False,
        help_text="Laissez vide pour retirer la cible.",
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=2,
    )
    target_source = forms.CharField(
        label="Source de la cible",
        required=False,
        max_length=200,
        help_text="Obligatoire avec une cible : COG, contrat, décision de la direction…",
    )

    def __init__(self, *args, unit: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].label = f"Cible ({unit})"
