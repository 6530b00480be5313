"""Behavioural parameters of the appeals simulator (debtors, commission, courts), each with its
source. Volumes are calibrated on the Caf's published figures (seed, « Le recouvrement amiable »
and « Des actions contentieuses », 2022); the amounts remitted are NOT parameters: they follow
from the twin's debts and the precarity rule (justedroit/appeals/parameters.py, PRECARITY)."""

from dataclasses import dataclass

from justedroit.twin.simulate.parameters import HYPOTHESIS, parameter

SEED = "Caf de la Vienne, rapport 2022 (« Le recouvrement amiable », « Des actions contentieuses »)"


@dataclass(frozen=True)
class AppealsParameters:
    remission_requests_per_year: int = parameter(
        2831, SEED, "demandes de remise de dette reçues par an (jumeau complet)"
    )
    contestations_per_year: int = parameter(
        172, SEED, "contestations (droit ou indu) reçues par an (jumeau complet)"
    )
    contest_indu_share: float = parameter(
        0.7, HYPOTHESIS, "part des contestations portant sur un indu (le reste : sur un droit)"
    )
    request_window_months: int = parameter(
        6,
        HYPOTHESIS,
        "une demande de remise porte sur une dette notifiée dans les 6 derniers mois et non soldée",
    )
    channel_weights: dict[str, float] = parameter(
        {"paper": 0.5, "email": 0.2, "portal": 0.3}, HYPOTHESIS, "canal de la réclamation"
    )
    reverse_share: float = parameter(
        0.15, HYPOTHESIS, "contestations auxquelles la commission donne raison à l'allocataire"
    )
    judgments_per_year: dict[str, int] = parameter(
        {"ta": 14, "tj_social": 9, "upper": 3},
        SEED,
        "jugements par an : tribunal administratif, tribunal judiciaire, appel et Conseil d'État",
    )
    favourable_share: dict[str, float] = parameter(
        {"ta": 1.0, "tj_social": 6 / 9, "upper": 2 / 3},
        SEED,
        "part des jugements favorables à la Caf (14/14 ; 6/9 ; 2/3)",
    )
    months_to_judgment: int = parameter(
        3, HYPOTHESIS, "mois entre la saisine du tribunal et le jugement"
    )


PARAMETERS = AppealsParameters()
