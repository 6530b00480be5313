"""Build the twin: generate the population (pure numpy), then write it with bulk inserts in one
transaction. Same seed and scale ⇒ identical rows."""

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from justedroit.core import clock
from justedroit.core.db import bulk_insert_columns, reset_sequences
from justedroit.registry.models import Claim, Commune, Fact, Household, Membership, Person
from justedroit.twin import calibration as cal
from justedroit.twin.economics import Economy, economy
from justedroit.twin.models import TwinBuild
from justedroit.twin.names import draw_names
from justedroit.twin.population import (
    NO_EXIT,
    SINGLE,
    Households,
    Persons,
    households,
    month_to_date,
    persons,
)
from justedroit.twin.rights import rights_ensure

MAX_SCALE = 4.0  # synthetic NIR serials (6 digits) stay unique up to this scale


@dataclass
class Twin:
    communes: list[str]
    households: Households
    persons: Persons
    economy: Economy
    last_names: np.ndarray
    first_names: np.ndarray
    nirs: np.ndarray


def generate(*, seed: int, scale: float, communes: list[tuple[str, int, int]]) -> Twin:
    """communes: (insee_code, population, apl_zone) sorted by code."""
    rng = np.random.default_rng(seed)
    codes = np.array([c[0] for c in communes], dtype=object)
    populations = np.array([c[1] for c in communes], dtype=float)
    zones = np.array([c[2] for c in communes])
    hh = households(rng, scale, populations)
    singles = hh.kind == SINGLE
    student_share = cal.STUDENT_SHARE_OF_SINGLES.value / cal.composition_shares()["single"]
    students = singles & (rng.random(hh.size) < student_share)
    ps = persons(rng, hh, students)
    eco = economy(rng, hh, ps, students, codes, zones)
    last, first = draw_names(rng, ps.household, ps.sex, hh.size)
    return Twin(list(codes), hh, ps, eco, last, first, synthetic_nirs(ps))


def synthetic_nirs(ps: Persons) -> np.ndarray:
    """NIRs with place of birth 00 (never assigned by INSEE) and a key that validates."""
    years = ps.birth_date.astype("datetime64[Y]").astype(np.int64) + 1970
    months = ps.birth_date.astype("datetime64[M]").astype(np.int64) % 12 + 1
    serial = np.arange(ps.size, dtype=np.int64)
    body = ps.sex.astype(np.int64) * 10**12 + (years % 100) * 10**10 + months * 10**8 + serial
    key = 97 - body % 97
    return np.char.add(np.char.zfill(body.astype(str), 13), np.char.zfill(key.astype(str), 2))


def twin_build(
    *, seed: int, scale: float, progress: Callable[[str, int], None] = lambda stage, rows: None
) -> TwinBuild:
    if not 0 < scale <= MAX_SCALE:
        raise ValidationError(f"L'échelle doit être comprise entre 0 et {MAX_SCALE}.")
    existing = TwinBuild.objects.first()
    if existing is not None:
        if existing.seed == seed and float(existing.scale) == scale:
            return existing
        raise ValidationError(
            f"Un jumeau existe déjà (graine {existing.seed}, échelle {existing.scale}). "
            "Repartez d'une base vide pour en construire un autre."
        )
    started = time.perf_counter()
    communes = list(
        Commune.objects.order_by("insee_code").values_list("insee_code", "population", "apl_zone")
    )
    if len(communes) != 265:
        raise ValidationError("Les 265 communes de la Vienne doivent être chargées (migrate).")
    twin = generate(seed=seed, scale=scale, communes=communes)
    progress("génération", 0)
    taken = set(Household.objects.values_list("number", flat=True))
    if taken & set(twin.households.number.astype(str)):
        raise ValidationError("Des numéros allocataires du jumeau existent déjà dans le registre.")
    with transaction.atomic():
        counts = _write(twin, progress)
        rights = rights_ensure(progress)
        counts["claims"] += rights["claims_added"]
        counts["facts"] += rights["facts_corrected"]
        build = TwinBuild.objects.create(
            rights=rights,
            seed=seed,
            scale=Decimal(str(scale)),
            built_at=clock.now(),
            **counts,
            seconds=Decimal(f"{time.perf_counter() - started:.2f}"),
        )
    return build


class _Adapter:
    """Turns numpy dates and instants into what this connection's INSERT wants, per distinct
    value (there are few: days and morning instants)."""

    def __init__(self):
        self.ops = connection.ops

    def dates(self, values: np.ndarray) -> list:
        return self._map(
            values.astype("datetime64[D]"),
            lambda v: self.ops.adapt_datefield_value(v.astype(dt.date)),
        )

    def instants(self, values: np.ndarray) -> list:
        def adapt(value):
            moment = value.astype("datetime64[us]").astype(dt.datetime).replace(tzinfo=dt.UTC)
            return self.ops.adapt_datetimefield_value(moment)

        return self._map(values.astype("datetime64[s]"), adapt)

    @staticmethod
    def _map(values: np.ndarray, adapt) -> list:
        missing = np.isnat(values)
        uniques, inverse = np.unique(values[~missing], return_inverse=True)
        adapted = [adapt(value) for value in uniques]
        out = [None] * len(values)
        for position, index in zip(
            np.flatnonzero(~missing).tolist(), inverse.tolist(), strict=True
        ):
            out[position] = adapted[index]
        return out


def _first_id(model) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def _write(twin: Twin, progress) -> dict[str, int]:
    adapt = _Adapter()
    hh, ps, eco = twin.households, twin.persons, twin.economy

    hh_base, person_base = _first_id(Household), _first_id(Person)
    hh_ids = (hh_base + np.arange(hh.size)).tolist()
    commune_of = np.array(twin.communes, dtype=object)[hh.commune].tolist()
    numbers = [f"{n:07d}" for n in hh.number.tolist()]
    bulk_insert_columns(
        Household,
        {
            "id": hh_ids,
            "number": numbers,
            "commune_id": commune_of,
            "is_synthetic": [True] * hh.size,
            "created_at": adapt.instants(
                hh.entry_date.astype("datetime64[s]") + np.timedelta64(8 * 3600, "s")
            ),
        },
    )
    progress("foyers", hh.size)

    person_ids = (person_base + np.arange(ps.size)).tolist()
    bulk_insert_columns(
        Person,
        {
            "id": person_ids,
            "nir": twin.nirs.tolist(),
            "last_name": twin.last_names.tolist(),
            "first_name": twin.first_names.tolist(),
            "birth_date": adapt.dates(ps.birth_date),
            "is_synthetic": [True] * ps.size,
        },
    )
    progress("personnes", ps.size)

    bulk_insert_columns(
        Membership,
        {
            "household_id": (hh_base + ps.household).tolist(),
            "person_id": person_ids,
            "role": ps.role.tolist(),
            "start_date": adapt.dates(ps.start_date),
            "end_date": adapt.dates(ps.end_date),
        },
    )
    progress("appartenances", ps.size)

    claims = eco.claims
    end = claims["end_month"]
    end_dates = np.where(
        end == NO_EXIT, np.datetime64("NaT"), month_to_date(np.where(end == NO_EXIT, 0, end))
    )
    start_dates = month_to_date(claims["start_month"])
    claim_count = bulk_insert_columns(
        Claim,
        {
            "household_id": (hh_base + claims["household"]).tolist(),
            "benefit": claims["benefit"].tolist(),
            "start_month": adapt.dates(start_dates),
            "end_month": adapt.dates(end_dates),
            "status": ["granted"] * len(end),
            "recorded_at": adapt.instants(
                start_dates.astype("datetime64[s]") + np.timedelta64(8 * 3600, "s")
            ),
        },
    )
    progress("demandes", claim_count)

    facts = eco.facts
    until = facts["valid_until"]
    fact_count = bulk_insert_columns(
        Fact,
        {
            "household_id": (hh_base + facts["household"]).tolist(),
            "person_id": [None if p < 0 else person_base + p for p in facts["person"].tolist()],
            "kind": facts["kind"].tolist(),
            "valid_from": adapt.dates(month_to_date(facts["valid_from"])),
            "valid_until": adapt.dates(
                np.where(until < 0, np.datetime64("NaT"), month_to_date(np.maximum(until, 0)))
            ),
            "recorded_at": adapt.instants(facts["recorded_at"]),
            "source": facts["source"].tolist(),
            "amount": [
                None if np.isnan(a) else Decimal(f"{a:.2f}") for a in facts["amount"].tolist()
            ],
            "code": facts["code"].tolist(),
        },
    )
    progress("faits", fact_count)
    reset_sequences(Household, Person, Membership, Claim, Fact)
    return {"households": hh.size, "persons": ps.size, "claims": claim_count, "facts": fact_count}
