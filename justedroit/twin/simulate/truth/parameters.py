"""Behavioural parameters of the twin's truth: how often a household's situation changes beside
what the twin's population already declares, and how the household declares it.

Calibration reasoning (no target is met by construction). The Caf de la Vienne's controls found
8.4 M€ of indus in 2022 (2 % of benefits) for a financial impact of 11.5 M€: these must emerge
from the engine recomputing the gaps drawn here, once controls find them. National orders of
magnitude bound the gap: the Cour des comptes puts the errors left uncorrected after 24 months at
5.8 Md€ in 2022, 7.6 % of benefits (both directions); the Cnaf estimates fraud at 2.8 Md€ (about
3 %), 69 % of it intentional omissions and 18 % hidden couple life (« isolement »). Controls find
only part of the gap, so the gap drawn is larger than what controls find: at the full twin,
about 12,000 changes a year of which about 30 % are declared late, wrongly or never, plus about
1,100 hidden couples and 300 hidden departures. Rough € (RSA, PPA, housing aid lost per month ×
months until found): pay rises ≈ 2 M€, new jobs ≈ 3 M€, couples ≈ 4 M€, departures ≈ 1.5 M€ a
year — the order of the 11.5 M€ impact. The shares are « hypothèse » until the controls'
indicators are measured on the full twin; change them here, never the totals.

Variable pay (overtime, extra hours, bonuses) is the ordinary source of the RSA's and the prime
d'activité's indus at a Caf: the household declares its resources each quarter (DTR), and the
Cour des comptes found a quarter of the prime d'activité paid in 2022 still in error nine months
later, which the Cnaf puts down mostly to those declarations. The twin draws such months for
every wage earner; a share is left out of the declaration, and the DRM, which carries the pay,
makes the automated control find it once the quarter is paid.

Housing (aide au logement, about a quarter of the twin's benefits): the population's own moves
are declared on time. Beside them the truth draws rents that fall (a cheaper dwelling in the same
commune, a new lease, a flat-share) and tenants who leave their rental to be housed free of
charge (by relatives, a partner), the aid then ending. No partner file carries a rent: a Caf
finds what was not declared through rent receipts and the lease (controls on documents, with a
chance) or by seeing the dwelling (on site, always), `controls/parameters.py`. Only lateness and
omission are drawn (no deliberate share: the fraud path does not read housing yet).
"""

from dataclasses import dataclass

from justedroit.twin.simulate.parameters import HYPOTHESIS, parameter

COUR_DES_COMPTES = (
    "hypothèse, ordre de grandeur : Cour des comptes, certification 2022 de la branche famille "
    "(5,8 Md€ d'erreurs non corrigées, 7,6 % des prestations)"
)
CNAF_FRAUD = (
    "hypothèse, ordre de grandeur : Cnaf, estimation de la fraude 2020 (2,8 Md€) ; fraudes "
    "détectées 2019 : 69 % d'omissions, 18 % d'isolement"
)
QUARTERLY_DECLARATION = (
    "hypothèse, ordre de grandeur : Cour des comptes, certification 2022 de la branche famille "
    "(un quart des montants de prime d'activité, près d'un sixième du RSA et un huitième des aides "
    "au logement versés en 2022 portent des erreurs non corrigées neuf mois après paiement) ; "
    "Cnaf : ces erreurs viennent surtout des ressources déclarées chaque trimestre"
)
FRAUD_AMONG_CONCEALMENTS = (
    "hypothèse, prévalence et non fraude détectée : la Cnaf estime la fraude à 2,8 Md€, la Cour "
    "des comptes les erreurs non corrigées à 5,8 Md€, soit environ la moitié des montants "
    "indûment versés tenue pour intentionnelle ; la moitié des changements jamais déclarés est "
    "donc cachée délibérément (ressources : 5 % délibérés, 5 % jamais, au lieu de 2 % et 8 % ; "
    "couples et départs : 50 % au lieu de 25 %). Mesuré sur le jumeau à 2 % avant ce choix "
    "(scripts/twin_deliberate_cost.py) : les dissimulations délibérées coûtaient 0,54 % des "
    "prestations en 2022, cinq à six fois moins que les 3 % de la Cnaf (docs/twin.md)"
)
HOUSING_DECLARATION = (
    "hypothèse, ordre de grandeur : Cour des comptes, certification 2022 de la branche famille "
    "(un huitième des aides au logement versées en 2022 portent des erreurs non corrigées neuf "
    "mois après paiement) ; un changement de logement se déclare en une fois (pas de déclaration "
    "trimestrielle qui le rappelle), d'où plus de retards que pour les ressources"
)
BEHAVIOURS = ("on_time", "late", "never", "mistake", "deliberate")


@dataclass(frozen=True)
class TruthParameters:
    pay_rise_yearly: float = parameter(
        0.20,
        HYPOTHESIS,
        "salariés dont le salaire augmente nettement dans l'année (hausse, heures en plus)",
    )
    pay_rise_factor: tuple[float, float] = parameter(
        (1.08, 1.40), HYPOTHESIS, "salaire après la hausse / avant : loi uniforme (de, à)"
    )
    new_job_yearly: float = parameter(
        0.12,
        HYPOTHESIS,
        "demandeurs d'emploi et inactifs de moins de 60 ans qui reprennent un emploi dans l'année",
    )
    new_job_salary: tuple[float, float, float, float] = parameter(
        (1150.0, 0.35, 400.0, 3000.0),
        HYPOTHESIS,
        "salaire de l'emploi repris : loi log-normale (médiane, sigma, borne basse, borne haute)",
    )
    change_declared: dict[str, float] = parameter(
        {"on_time": 0.70, "late": 0.15, "never": 0.05, "mistake": 0.05, "deliberate": 0.05},
        f"{COUR_DES_COMPTES} ; {FRAUD_AMONG_CONCEALMENTS}",
        "comment un changement de ressources est déclaré : dans le mois, en retard, jamais, "
        "à temps avec un montant erroné, caché délibérément",
    )
    late_months: tuple[int, int] = parameter(
        (2, 10), HYPOTHESIS, "retard d'une déclaration tardive, en mois (de…à exclu)"
    )
    mistake_share: tuple[float, float] = parameter(
        (0.5, 0.9),
        HYPOTHESIS,
        "montant déclaré par erreur / montant vrai (pour une hausse : part de la hausse oubliée)",
    )
    hidden_couple_yearly: float = parameter(
        0.012,
        CNAF_FRAUD,
        "allocataires seuls ou parents isolés qui vivent en couple sans le déclarer, par an",
    )
    partner_income: tuple[float, float, float, float] = parameter(
        (1400.0, 0.40, 0.0, 4000.0),
        HYPOTHESIS,
        "ressources mensuelles du conjoint non déclaré : loi log-normale (médiane, sigma, bornes)",
    )
    hidden_departure_yearly: float = parameter(
        0.003,
        HYPOTHESIS,
        "foyers partis vivre à l'étranger sans le déclarer, par an",
    )
    hidden_since_years: int = parameter(
        2,
        "hypothèse (une population réelle porte au début de la période les couples et départs "
        "cachés des années précédentes que nul contrôle n'a encore trouvés ; deux ans : au-delà, "
        "la prescription biennale, L553-1 CSS, borne ce qu'un contrôle recouvre)",
        "années avant la période depuis lesquelles un couple ou un départ caché a pu commencer "
        "(même fréquence annuelle)",
    )
    hidden_deliberate: float = parameter(
        0.50,
        f"{CNAF_FRAUD} ; {FRAUD_AMONG_CONCEALMENTS}",
        "part des couples et départs cachés qui le sont délibérément (le reste : négligence)",
    )
    variable_pay_monthly: float = parameter(
        0.15,
        HYPOTHESIS,
        "mois où un salarié est payé plus que d'ordinaire (heures supplémentaires ou "
        "complémentaires, prime, treizième mois), par salarié et par mois",
    )
    variable_pay_extra: tuple[float, float] = parameter(
        (0.10, 0.40),
        HYPOTHESIS,
        "supplément d'un tel mois, en part du salaire ordinaire : loi uniforme (de, à)",
    )
    variable_pay_declared: dict[str, float] = parameter(
        {"on_time": 0.70, "late": 0.05, "never": 0.20, "mistake": 0.05},
        QUARTERLY_DECLARATION,
        "comment un tel mois est déclaré dans la déclaration trimestrielle de ressources : "
        "à temps, en retard, oublié, à temps avec une partie du supplément seulement",
    )
    rent_fall_yearly: float = parameter(
        0.05,
        HYPOTHESIS,
        "locataires dont le loyer baisse dans l'année sans changer de commune (logement moins "
        "cher, nouveau bail, colocation), par an",
    )
    rent_fall_factor: tuple[float, float] = parameter(
        (0.65, 0.90), HYPOTHESIS, "loyer après la baisse / avant : loi uniforme (de, à)"
    )
    leaves_rental_yearly: float = parameter(
        0.02,
        HYPOTHESIS,
        "locataires qui quittent leur location pour être hébergés gratuitement (chez des "
        "proches, un conjoint), par an",
    )
    housing_declared: dict[str, float] = parameter(
        {"on_time": 0.65, "late": 0.25, "never": 0.10},
        HOUSING_DECLARATION,
        "comment une baisse de loyer ou une fin de location est déclarée : dans le mois, en "
        "retard, jamais",
    )
    declaration_hours: tuple[int, int] = parameter(
        (8, 22), HYPOTHESIS, "heure d'une déclaration en ligne (de…à exclu)"
    )


PARAMETERS = TruthParameters()
