"""The twin's calibration targets, each with its source. `justedroit twin calibration` prints
target vs generated. Totals come from the seed; shares from public statistics
(`shared/design/TWIN-CALIBRATION.md`); "hypothèse" marks an assumption no source gives."""

from dataclasses import dataclass

SEED = "Caf de la Vienne, rapport 2022, « Renforcer notre qualité de service »"


@dataclass(frozen=True)
class Target:
    code: str
    label: str
    value: float
    source: str
    tolerance: float = 0.005  # relative, for totals; absolute points for shares


REFERENCE_YEAR = 2022
HOUSEHOLDS_END_2022 = Target("households_2022", "Foyers allocataires au 31/12/2022", 94_757, SEED)
HOUSEHOLDS_GROWTH_2022 = Target(
    "households_growth_2022", "Foyers supplémentaires vs 2021", 700, SEED
)
PERSONS_END_2022 = Target("persons_2022", "Personnes couvertes au 31/12/2022", 206_587, SEED)
POPULATION = Target(
    "population",
    "Population municipale de la Vienne",
    438_897,
    "Insee via @etalab/decoupage-administratif 6.0.0",
)

# Yearly turnover of the file: share of allocataires at 31/12 of Y-1 who are no longer at 31/12 of
# Y. No public figure for the Vienne; the Cnaf's stock/flow tables suggest roughly one in ten.
EXIT_RATE = Target("exit_rate", "Sorties du fichier dans l'année", 0.09, "hypothèse")

# Household composition at 31/12 (shares of households). Single parents and couples without
# children are set from national shares; singles and couples with children are then solved so that
# persons per household = 206 587 / 94 757 (see `composition_shares`).
SINGLE_PARENT_SHARE = Target(
    "single_parents",
    "Familles monoparentales",
    0.17,
    "Cnaf, allocataires par type (FR) ; 24,1 % des enfants en famille "
    "monoparentale dans la Vienne (recensement 2019)",
    0.01,
)
COUPLE_NO_CHILD_SHARE = Target(
    "couples_no_child",
    "Couples sans enfant",
    0.07,
    "Cnaf, allocataires par type (FR, ancien)",
    0.01,
)
OTHER_MEMBER_SHARE = 0.02  # households with one more adult dependant (hypothèse)
# Children per family with children: AF families 2 → 66 %, 3 → 24 %, 4+ → 8 % (Cnaf, ancien),
# completed with one-child families, which get no AF and are not in that table (hypothèse).
CHILDREN_DISTRIBUTION = {1: 0.40, 2: 0.38, 3: 0.16, 4: 0.045, 5: 0.015}

STUDENT_SHARE_OF_SINGLES = Target(
    "students",
    "Étudiants (part des foyers)",
    0.10,
    "Caf de la Vienne, portrait 2024 (~9 500 étudiants sur 91 000)",
    0.02,
)
# Non-take-up among households the twin makes eligible-looking.
RSA_NON_TAKE_UP = Target(
    "rsa_non_take_up",
    "Non-recours au RSA",
    0.34,
    "DREES 2022 (données 2018), chaque trimestre",
    0.03,
)
PPA_NON_TAKE_UP = Target(
    "ppa_non_take_up",
    "Non-recours à la prime d'activité",
    0.25,
    "évaluation 2016 : « moins de 30 % » ; 25 % retenu (hypothèse)",
    0.03,
)

BIRTH_MONTHS_BACK = 4  # resources start 4 months before entry: PPA needs M-4..M-1
FIRST_FACT_MONTH = (2020, 9)  # so that January 2021's PPA has its quarter
# An adult's activity and resources go back to where the engine's window of January 2021 starts
# (`rules.inputs.resource_window`): housing aid counts the 12 months ending two months before each
# month of the RSA/PPA quarter. From FIRST_FACT_MONTH only, the missing months counted as 0 € and
# inflated 2021's housing aid, falling month by month until October 2021 (-36 % at 5 %).
RESOURCE_HISTORY_FROM = (2019, 9)
LAST_MONTH = (2022, 12)


def composition_shares() -> dict[str, float]:
    """Shares of the four household types solving persons/household = the seed's ratio."""
    mean_children = sum(k * p for k, p in CHILDREN_DISTRIBUTION.items())
    target_mean = PERSONS_END_2022.value / HOUSEHOLDS_END_2022.value - OTHER_MEMBER_SHARE
    single_parent = SINGLE_PARENT_SHARE.value
    couple_no_child = COUPLE_NO_CHILD_SHARE.value
    rest = 1 - single_parent - couple_no_child
    known = single_parent * (1 + mean_children) + couple_no_child * 2
    # single + couple_children = rest ; single + (2 + c) * couple_children = target - known
    couple_children = (target_mean - known - rest) / (1 + mean_children)
    return {
        "single": rest - couple_children,
        "single_parent": single_parent,
        "couple_no_child": couple_no_child,
        "couple_children": couple_children,
    }


TARGETS = [
    HOUSEHOLDS_END_2022,
    HOUSEHOLDS_GROWTH_2022,
    PERSONS_END_2022,
    POPULATION,
    EXIT_RATE,
    SINGLE_PARENT_SHARE,
    COUPLE_NO_CHILD_SHARE,
    STUDENT_SHARE_OF_SINGLES,
    RSA_NON_TAKE_UP,
    PPA_NON_TAKE_UP,
]
