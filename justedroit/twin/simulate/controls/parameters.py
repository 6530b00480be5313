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
    tolerance_euros: float = parameter(
        1.0, HYPOTHESIS, "écart mensuel en euros en dessous duquel le contrôleur ne retient rien"
    )


PARAMETERS = ControllerParameters()
