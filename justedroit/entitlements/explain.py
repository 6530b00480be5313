"""Why a household gets what it gets for a month: amounts, every fact the engine read, the RSA
received before (which housing aid reads), the main intermediate values, and the exact OpenFisca
situation for anyone to recompute with openfisca-france alone."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError

from justedroit import rules
from justedroit.entitlements.situations import COMPUTED, rsa_received, situations
from justedroit.registry import selectors as registry
from justedroit.registry.facts import RESOURCE_KINDS
from justedroit.registry.models import FactKind, FactSource, Household
from justedroit.rules.inputs import resource_window, rsa_months

LABELS = dict(FactKind.choices)
SOURCES = dict(FactSource.choices)
ORIGINS = {"paid": "versé", "computed": "calculé (mois pas encore payé)"}


def household_explanation(*, household: Household, month: dt.date, as_of: dt.datetime) -> dict:
    rsa = rsa_received(month=month, as_of=as_of, household_ids=[household.id])
    inputs, _ = situations(month=month, as_of=as_of, household_ids=[household.id], rsa=rsa)
    results, errors = rules.compute_month(inputs, month)
    if errors:
        raise ValidationError(f"Foyer {household.number}, {month:%m/%Y} : {errors[0].message_fr}")
    result = results[0]
    received = rsa.get(household.id, {})
    return {
        "household": household.number,
        "month": f"{month:%Y-%m}",
        "as_of": as_of.isoformat(),
        "versions": rules.versions(),
        "claims": sorted(inputs[0].claims),
        "amounts": {
            benefit: {"eligible": str(amount), "due": str(result.paid(benefit))}
            for benefit, amount in result.amounts.items()
        },
        "intermediates": {key: str(value) for key, value in sorted(result.intermediates.items())},
        "rsa_received": [
            {
                "month": f"{past:%Y-%m}",
                "amount": str(received[past][0]) if past in received else "0.00",
                "origin": ORIGINS[received[past][1]] if past in received else "aucun",
            }
            for past in rsa_months(month)
        ],
        "facts": _facts_used(
            household,
            [month, *(past for past, (_, origin) in received.items() if origin == COMPUTED)],
            as_of,
        ),
        "_input": inputs[0],
        "_outputs": result,
    }


def _facts_used(household: Household, computed: list[dt.date], as_of: dt.datetime) -> list[dict]:
    """Every fact known at `as_of` that the engine read for the months `computed` (the month
    explained, and those whose RSA it computed): resources over each one's window up to that
    month (rules.inputs.resource_window: back to M-16, M-17 from 10/2024), the other facts for
    the month itself."""
    read: dict[dt.date, bool] = {}  # month → every kind (True) or resources only
    for target in computed:
        for month in resource_window(target):
            if month <= target:
                read[month] = read.get(month, False) or month == target
    seen, used = set(), []
    for month, every_kind in sorted(read.items()):
        known = registry.facts_known(household_ids=[household.id], month=month, as_of=as_of)
        for fact in known.values():
            if fact.pk in seen or not (every_kind or fact.kind in RESOURCE_KINDS):
                continue
            seen.add(fact.pk)
            used.append(
                {
                    "kind": fact.kind,
                    "label": LABELS[fact.kind],
                    "person": str(fact.person) if fact.person_id else None,
                    "value": str(fact.value),
                    "valid_from": f"{fact.valid_from:%Y-%m}",
                    "valid_until": f"{fact.valid_until:%Y-%m}" if fact.valid_until else None,
                    "source": SOURCES[fact.source],
                    "recorded_at": fact.recorded_at.isoformat(),
                }
            )
    return sorted(used, key=lambda f: (f["kind"], f["person"] or "", f["valid_from"]))


def openfisca_json(explanation: dict) -> dict:
    """The OpenFisca situation (inputs with periods) plus the computed outputs."""
    month = dt.date.fromisoformat(explanation["month"] + "-01")
    situation = rules.openfisca_situation(explanation["_input"], month)
    return {
        "situation": situation,
        "outputs": {
            benefit: float(Decimal(values["eligible"]))
            for benefit, values in explanation["amounts"].items()
        },
        "period": explanation["month"],
        "versions": explanation["versions"],
    }


def as_text(explanation: dict) -> str:
    lines = [
        f"Foyer {explanation['household']} — droits de {explanation['month']} "
        f"(faits connus au {explanation['as_of'][:19]})",
        f"Prestations demandées : {', '.join(explanation['claims']) or 'aucune'}",
        "",
        "Montants (ouvert par la loi → dû) :",
    ]
    for benefit, values in explanation["amounts"].items():
        lines.append(f"  {benefit:<14} {values['eligible']:>10} € → {values['due']:>10} €")
    lines += ["", "Valeurs intermédiaires :"]
    lines += [f"  {key:<55} {value:>12}" for key, value in explanation["intermediates"].items()]
    lines += ["", "RSA perçu les mois précédents (lu par l'aide au logement) :"]
    lines += [
        f"  {r['month']}  {r['amount']:>10} €  {r['origin']}" for r in explanation["rsa_received"]
    ]
    lines += ["", "Faits lus par le moteur (valeur, validité, source, enregistré le) :"]
    lines += [
        f"  {f['label']:<45} {f['person'] or 'foyer':<25} {f['value']:>10}  "
        f"{f['valid_from']}→{f['valid_until'] or '…'}  {f['source']}, {f['recorded_at'][:10]}"
        for f in explanation["facts"]
    ]
    lines.append(f"Moteur : {explanation['versions']}")
    return "\n".join(lines)


def as_json(explanation: dict) -> dict:
    return {key: value for key, value in explanation.items() if not key.startswith("_")}
