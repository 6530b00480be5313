"""Why a household gets what it gets for a month: amounts, every fact the engine read, the RSA
received before (which housing aid reads), the main intermediate values, and the exact OpenFisca
situation for anyone to recompute with openfisca-france alone."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError

from justedroit import rules
from justedroit.core.french import month_label
from justedroit.core.money import format_euros
from justedroit.entitlements.quarters import (
    QUARTERLY,
    quarter_freeze,
    quarter_phases,
    quarter_start,
)
from justedroit.entitlements.situations import COMPUTED, rsa_received, situations
from justedroit.registry import selectors as registry
from justedroit.registry.facts import RESOURCE_KINDS, value_label
from justedroit.registry.models import Benefit, FactKind, FactSource, Household
from justedroit.rules.explain import LABELS as STEP_LABELS
from justedroit.rules.inputs import resource_window, rsa_months

LABELS = dict(FactKind.choices)
SOURCES = dict(FactSource.choices)
ORIGINS = {"paid": "versé", "computed": "calculé (mois pas encore payé)"}
BENEFITS = dict(Benefit.choices)
# What the allocataire needs to know first about how a benefit is computed.
BENEFIT_NOTES: dict[str, list[str]] = {
    Benefit.PPA: [
        "La prime d'activité d'un mois est la moyenne des montants calculés sur les trois mois "
        "précédents, à partir des ressources que vous avez déclarées pour ces mois."
    ],
    Benefit.RSA: [
        "Le RSA complète les ressources de votre foyer jusqu'à un montant forfaitaire qui "
        "dépend de sa composition."
    ],
    Benefit.AIDE_LOGEMENT: [
        "L'aide au logement dépend de votre loyer, de la zone où vous habitez, de la "
        "composition du foyer et de ses ressources des douze derniers mois connus."
    ],
}
# The intermediate values (by name prefix) that make each benefit's amount.
BENEFIT_STEPS: dict[str, tuple[str, ...]] = {
    Benefit.AF: ("prestations_familiales_base_ressources", "af_"),
    Benefit.CF: ("prestations_familiales_base_ressources",),
    Benefit.ARS: ("prestations_familiales_base_ressources",),
    Benefit.PAJE_BASE: ("prestations_familiales_base_ressources",),
    Benefit.AIDE_LOGEMENT: ("aide_logement_",),
    Benefit.RSA: ("rsa_",),
    Benefit.PPA: ("ppa_",),
    Benefit.AAH: ("caah",),
}


def household_explanation(*, household: Household, month: dt.date, as_of: dt.datetime) -> dict:
    rsa = rsa_received(month=month, as_of=as_of, household_ids=[household.id])
    inputs, ids_by_number = situations(
        month=month, as_of=as_of, household_ids=[household.id], rsa=rsa
    )
    results, errors = rules.compute_month(inputs, month)
    if errors:
        raise ValidationError(f"Foyer {household.number}, {month:%m/%Y} : {errors[0].message_fr}")
    # The RSA and the prime d'activité as paid: the quarterly right (entitlements.quarters).
    phase = quarter_phases(month, [household.id]).get(household.id)
    (result,) = quarter_freeze(
        results,
        {inputs[0].id: inputs[0]},
        month,
        as_of=as_of,
        ids_by_number=ids_by_number,
        with_intermediates=True,
        phases={household.id: phase} if phase else {},
    )
    received = rsa.get(household.id, {})
    return {
        "household": household.number,
        "month": f"{month:%Y-%m}",
        "as_of": as_of.isoformat(),
        "versions": rules.versions(),
        "claims": sorted(inputs[0].claims),
        "quarter_start": f"{quarter_start(month, phase):%Y-%m}" if phase else None,
        "amounts": {
            benefit: {"eligible": str(amount), "due": str(result.paid(benefit))}
            for benefit, amount in result.amounts.items()
        },
        "intermediates": {key: str(value) for key, value in sorted(result.intermediates.items())},
        "steps": _steps(result.intermediates),
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


def _steps(intermediates: dict[str, Decimal]) -> list[dict]:
    """The intermediate values in French, in the order of the calculation: label, the sentence an
    allocataire reads, the month it is about when earlier than the month explained."""
    order = {variable: i for i, variable in enumerate(STEP_LABELS)}
    steps = []
    for key, value in intermediates.items():
        variable, _, month = key.partition("@")
        label, sentence = STEP_LABELS[variable]
        steps.append(
            {
                "variable": variable,
                "label": label,
                "sentence": sentence,
                "month": month or None,
                "value": str(value),
            }
        )
    return sorted(steps, key=lambda step: (order[step["variable"]], step["month"] or ""))


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
                    "shown": value_label(fact.kind, fact.amount, fact.code),
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


def for_claimant(explanation: dict) -> list[dict]:
    """The month told to the allocataire, benefit by benefit, in sentences: what is paid, how it
    is made (the intermediate values that are not zero), and the rights open but not asked for."""
    told = []
    for benefit, values in explanation["amounts"].items():
        due, eligible = Decimal(values["due"]), Decimal(values["eligible"])
        label = BENEFITS.get(benefit, benefit)
        if not due:
            if eligible:
                told.append(
                    {
                        "benefit": benefit,
                        "amount": due,
                        "sentences": [
                            f"Selon les informations connues, votre foyer pourrait avoir droit à "
                            f"{label} ({format_euros(eligible)}), mais vous ne l'avez pas "
                            "demandée : la page « Mes droits » explique comment faire."
                        ],
                    }
                )
            continue
        sentences = [f"{label} : {format_euros(due)} pour {month_label(explanation['month'])}."]
        sentences += BENEFIT_NOTES.get(benefit, [])
        if benefit in QUARTERLY and explanation["quarter_start"]:
            sentences.append(quarterly_sentence(explanation["quarter_start"], explanation["month"]))
        earlier: dict[str, list[str]] = {}  # an earlier month's values, said together
        for step in explanation["steps"]:
            amount = Decimal(step["value"])
            if not amount or not step["variable"].startswith(BENEFIT_STEPS.get(benefit, ())):
                continue
            text = step["sentence"].format(format_euros(amount))
            if step["month"]:
                earlier.setdefault(step["month"], []).append(text[0].lower() + text[1:-1])
            else:
                sentences.append(text)
        sentences += [
            f"Pour {month_label(month)} : {' ; '.join(parts)}."
            for month, parts in sorted(earlier.items())
        ]
        told.append({"benefit": benefit, "amount": due, "sentences": sentences})
    return told


def quarterly_sentence(start: str, month: str) -> str:
    """The quarterly right in a sentence: the amount is fixed for the period's three months."""
    if start == month:
        return (
            f"Ce montant est fixé pour trois mois à partir de {month_label(month)}, sur les "
            "ressources que vous avez déclarées pour les trois mois précédents (déclaration "
            "trimestrielle), sauf changement de situation."
        )
    return (
        f"Ce montant est fixé pour trois mois depuis {month_label(start)} : c'est celui calculé "
        f"pour {month_label(start)} sur les ressources déclarées pour les trois mois précédents "
        "(déclaration trimestrielle), sauf changement de situation ; les étapes ci-dessous "
        "sont celles de ce calcul."
    )


def fact_sentence(fact: dict) -> str:
    """One fact the calculation used, as a sentence: 'Salaire net mensuel de Léa Martin :
    1 200,00 €, à partir de juin 2021 (déclaration de l'allocataire).'"""
    whose = f" de {fact['person']}" if fact["person"] else " du foyer"
    until = f" jusqu'à {month_label(fact['valid_until'])} exclu" if fact["valid_until"] else ""
    return (
        f"{fact['label']}{whose} : {fact['shown']}, à partir de "
        f"{month_label(fact['valid_from'])}{until} ({fact['source'].lower()})."
    )


def recompute_sentence(adjustments: list, first_month: dt.date, last_month: dt.date) -> str:
    """Why a recomputation changed only some months: which months changed, by how much, which
    facts recorded since the payment made the difference, and that the others stay as paid."""
    span = (last_month.year - first_month.year) * 12 + last_month.month - first_month.month + 1
    period = (
        month_label(first_month)
        if span == 1
        else f"de {month_label(first_month)} à {month_label(last_month)}"
    )
    if not adjustments:
        return (
            f"Recalcul {period} : aucun montant ne change. Aucun fait enregistré depuis les "
            "paiements ne modifie ce qui était dû ; rien n'a été enregistré."
        )
    months = sorted({a.month for a in adjustments})
    changes = " ; ".join(
        f"{month_label(month)} : "
        + ", ".join(
            f"{a.get_kind_display().lower()} de {format_euros(a.amount)} "
            f"({BENEFITS.get(a.benefit, a.benefit)})"
            for a in sorted(adjustments, key=lambda a: a.benefit)
            if a.month == month
        )
        for month in months
    )
    causes = {
        fact.pk: f"{LABELS[fact.kind]}{f' de {fact.person}' if fact.person_id else ''} "
        f"à partir de {month_label(fact.valid_from)}"
        for a in adjustments
        for fact in a.causes.all()
    }
    why = (
        f" Ils changent à cause des faits enregistrés depuis le paiement : "
        f"{', '.join(sorted(causes.values()))}."
        if causes
        else " Ils changent parce que la législation ou les faits des mois précédents diffèrent."
    )
    unchanged = span - len(months)
    others = {
        0: "",
        1: " L'autre mois reste tel que payé : aucun fait nouveau ne modifie son montant.",
    }.get(
        unchanged,
        f" Les {unchanged} autres mois restent tels que payés : aucun fait nouveau ne modifie "
        "leur montant.",
    )
    return f"Recalcul {period} : {len(months)} mois sur {span} changent ({changes}).{why}{others}"
