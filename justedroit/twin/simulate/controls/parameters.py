"""The twin's controllers: how many controls on documents and on site they run each month, and
what they look at, with their sources."""

from dataclasses import dataclass

from justedroit.twin.simulate.parameters import HYPOTHESIS, parameter

REPORT_2022 = (
    "Caf de la Vienne, rapport d'activité 2022 (« Le contrôle des allocataires pour un paiement "
    "juste et vérifié »)"
)


@dataclass(frozen=True)
class ControllerParameters:
    documents_per_year: int = parameter(
        14_977, REPORT_2022, "contrôles sur pièces par an, à l'échelle 1 (tous motifs)"
    )
    on_site_per_year: int = parameter(901, REPORT_2022, "contrôles sur place par an, à l'échelle 1")
    look_back_months: int = parameter(
        12,
        "hypothèse (les pièces demandées couvrent en général les douze derniers mois ; la "
        "prescription de deux ans, L553-1 CSS, borne ce que le contrôle peut régler)",
        "mois examinés par un contrôle sur pièces ou sur place, jusqu'au mois payé",
    )
    situation_look_back_months: int = parameter(
        24,
        "prescription biennale de l'action en recouvrement des indus (L553-1 CSS ; cinq ans en "
        "cas de fraude, non retenu ici)",
        "mois en arrière jusqu'où un contrôle établit une vie maritale ou une résidence à "
        "l'étranger non déclarées (depuis leur début vrai, au plus)",
    )
    documents_find_couple: float = parameter(
        0.5,
        HYPOTHESIS,
        "chance qu'un contrôle sur pièces révèle une vie maritale non déclarée (relevés "
        "bancaires, quittances, avis d'imposition) ; un contrôle sur place la constate toujours",
    )
    documents_find_abroad: float = parameter(
        0.5,
        HYPOTHESIS,
        "chance qu'un contrôle sur pièces révèle une résidence à l'étranger (relevés bancaires) ; "
        "un contrôle sur place la constate toujours",
    )
    documents_find_housing: float = parameter(
        0.8,
        "hypothèse (les quittances de loyer et le bail font partie des pièces demandées à un "
        "allocataire de l'aide au logement ; certains foyers ne les produisent pas)",
        "chance qu'un contrôle sur pièces révèle le loyer et le statut d'occupation vrais (baisse "
        "de loyer, fin de location non déclarées) ; un contrôle sur place les constate toujours",
    )
    random_sample_share: float = parameter(
        0.15,
        "hypothèse (la Cnaf entraîne son modèle sur un échantillon aléatoire de contrôles, "
        "l'enquête « paiement à bon droit » ; sa taille locale n'est pas publiée) : assez de "
        "contrôles clos pour estimer les 8 paramètres du modèle dès le jumeau à 2 %",
        "part des contrôles sur pièces de l'année tirés dans l'échantillon aléatoire (janvier)",
    )
    tolerance_euros: float = parameter(
        1.0, HYPOTHESIS, "écart mensuel en euros en dessous duquel le contrôleur ne retient rien"
    )


PARAMETERS = ControllerParameters()
