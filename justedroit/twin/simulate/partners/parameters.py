"""The partners' coverage and delays, with their sources. The file formats are the exchanges
domain's (`justedroit/exchanges/connectors.py`, docs/echanges.md)."""

from dataclasses import dataclass

from justedroit.twin.simulate.parameters import HYPOTHESIS, parameter

DSN = (
    "hypothèse (la DSN couvre les employeurs privés, PASRAU les employeurs publics et les "
    "caisses de retraite ; restent hors champ les particuliers employeurs et l'étranger)"
)


@dataclass(frozen=True)
class PartnerParameters:
    drm_delay_months: int = parameter(
        1,
        "hypothèse (la DSN du mois M est déposée le 5 ou le 15 de M+1)",
        "DRM : retard, en mois",
    )
    drm_salary_coverage: float = parameter(
        0.97, DSN, "salariés dont l'employeur transmet une DSN ou une déclaration PASRAU"
    )
    drm_pension_coverage: float = parameter(
        0.99, DSN, "retraités dont la caisse transmet une déclaration PASRAU"
    )
    drm_employers: int = parameter(
        4000, HYPOTHESIS, "établissements employeurs (SIRET) des salariés du jumeau, à l'échelle 1"
    )
    drm_late_share: float = parameter(
        0.04,
        "hypothèse (DSN déposée hors délai, « DSN annule et remplace » ou régularisation de paie "
        "sur un mois suivant, déclaration PASRAU tardive : la Cnaf ne publie pas leur part)",
        "DRM : part des lignes d'un mois qui n'arrivent qu'avec un fichier plus tardif",
    )
    drm_late_months: int = parameter(
        3,
        HYPOTHESIS,
        "DRM : retard supplémentaire maximal d'une ligne tardive, en mois (tiré de 1 à ce nombre)",
    )
    france_travail_delay_months: int = parameter(1, HYPOTHESIS, "France Travail : retard, en mois")
    france_travail_late_share: float = parameter(
        0.10,
        "hypothèse (ouverture de droits ARE/ASS rétroactive après examen du dossier, "
        "actualisation tardive : l'allocation d'un mois n'est notifiée qu'un à trois mois après)",
        "France Travail : part des allocations d'un mois notifiées avec retard",
    )
    france_travail_late_months: int = parameter(
        3,
        HYPOTHESIS,
        "France Travail : retard supplémentaire maximal d'une allocation notifiée tard, en mois",
    )
    france_travail_coverage: float = parameter(
        0.90,
        HYPOTHESIS,
        "demandeurs d'emploi déclarés à la Caf qui sont inscrits à France Travail",
    )
    dgfip_month: int = parameter(
        11,
        "hypothèse (la DGFiP transmet les revenus N-2 en fin d'année, pour l'année suivante)",
        "DGFiP : mois de l'envoi annuel des revenus (ceux de l'année précédente)",
    )
    allowance_ass_below: float = parameter(
        600.0,
        HYPOTHESIS,
        "allocation mensuelle en dessous de laquelle France Travail verse l'ASS plutôt que l'ARE",
    )


PARAMETERS = PartnerParameters()
