"""Behavioural parameters of the twin's case workers (teams, workload, errors), with sources.

The published reference is the quality-of-processing index of a Caf for 2022 (IQL 0 = 94 %:
about 6 % of the files leaving processing carry an error, `INDICATORS.md`); the rest is
hypothesis, stated as such."""

from dataclasses import dataclass

from justedroit.twin.simulate.parameters import HYPOTHESIS, parameter

IQL = "IQL 0 d'une Caf en 2022 : 94 % (INDICATORS.md, définitions de référence)"


@dataclass(frozen=True)
class QualityParameters:
    teams: tuple[str, ...] = parameter(
        ("Poitiers A", "Poitiers B", "Châtellerault", "Montmorillon-Civray-Loudun"),
        HYPOTHESIS,
        "équipes de gestionnaires-conseils (une par pôle de production)",
    )
    agents_per_team: int = parameter(
        12, HYPOTHESIS, "gestionnaires-conseils par équipe, à l'échelle 1 du jumeau"
    )
    acts_per_agent_month: int = parameter(
        260,
        HYPOTHESIS,
        "actes de traitement (pièces, demandes, faits, clôtures) par agent et par mois",
    )
    error_rate: float = parameter(
        0.06, IQL, "part moyenne des actes en erreur à la sortie du traitement (1 − IQL 0)"
    )
    weak_agents_share: float = parameter(
        0.15, HYPOTHESIS, "part des agents qui se trompent nettement plus souvent"
    )
    weak_agents_factor: float = parameter(
        3.0, HYPOTHESIS, "taux d'erreur de ces agents rapporté à celui des autres"
    )
    error_kinds: dict = parameter(
        {"wrong_amount": 0.55, "wrong_date": 0.25, "missed_resource": 0.20},
        HYPOTHESIS,
        "nature des erreurs : montant erroné, mauvaise date d'effet, ressource oubliée",
    )
    amount_median: float = parameter(
        420.0, HYPOTHESIS, "montant mensuel médian des prestations en jeu dans un acte (€)"
    )
    amount_spread: float = parameter(
        0.8, HYPOTHESIS, "dispersion (écart type du logarithme) de ces montants"
    )
    error_share_of_amount: dict = parameter(
        {"wrong_amount": (0.05, 0.4), "wrong_date": (0.5, 1.0), "missed_resource": (0.1, 0.6)},
        HYPOTHESIS,
        "part du montant en jeu qu'une erreur fausse, tirée uniformément dans cet intervalle",
    )
    risk_factor: float = parameter(
        2.5,
        HYPOTHESIS,
        "les actes sur les prestations sous condition de ressources (RSA, prime d'activité, "
        "aide au logement) se trompent ce facteur fois plus",
    )


PARAMETERS = QualityParameters()
