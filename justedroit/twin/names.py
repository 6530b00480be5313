"""French first and last names for the twin, drawn from Faker's fr_FR lists (no Faker calls per
person: 200,000 draws must take milliseconds)."""

import numpy as np
from faker.providers.person.fr_FR import Provider

LAST_NAMES = np.array(Provider.last_names, dtype=object)
FIRST_NAMES = {
    1: np.array(Provider.first_names_male, dtype=object),
    2: np.array(Provider.first_names_female, dtype=object),
}


def draw_names(
    rng: np.random.Generator, household: np.ndarray, sex: np.ndarray, households: int
) -> tuple[np.ndarray, np.ndarray]:
    """Members of a household mostly share its last name; 30 % keep their own."""
    family = LAST_NAMES[rng.integers(0, len(LAST_NAMES), households)]
    last = family[household]
    own = rng.random(len(household)) < 0.3
    last[own] = LAST_NAMES[rng.integers(0, len(LAST_NAMES), int(own.sum()))]
    first = np.empty(len(household), dtype=object)
    for code, names in FIRST_NAMES.items():
        selected = sex == code
        first[selected] = names[rng.integers(0, len(names), int(selected.sum()))]
    return last, first
