"""Datamining métier: rules over processing acts that flag likely errors. A flagged act goes to
the « à risque » stratum of a plan stratified by risk, which Neyman allocation samples more.

Each rule is a documented threshold (a hypothesis of the verification service, to be tuned on
the reviews' results); `RULES` lists them for the verifier's page."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from justedroit.core import clock
from justedroit.registry.models import ProcessingActFact

LARGE_CHANGE = Decimal("1000.00")
RULES = {
    "large_change": (
        f"L'acte a fait calculer au moteur des rappels ou indus de plus de {LARGE_CHANGE} € "
        "(en valeur absolue) : un montant saisi loin de la situation connue."
    ),
    "retroactive": (
        "Un fait saisi par l'acte vaut pour un mois antérieur au mois de l'acte, déjà payé : "
        "un fait enregistré après le paiement qu'il affecte."
    ),
}


def risk_flags(acts, changes: dict[int, dict[str, Decimal]]) -> dict[int, list[str]]:
    """Per flagged act id, the keys of the rules it meets. `acts` are rows (id, agent id,
    household id, benefit, at, kind); `changes` the engine's € by act and benefit."""
    at = {row[0]: row[4] for row in acts}
    flags: dict[int, list[str]] = defaultdict(list)
    for act_id, by_benefit in changes.items():
        if sum((abs(v) for v in by_benefit.values()), Decimal(0)) > LARGE_CHANGE:
            flags[act_id].append("large_change")
    earliest: dict[int, dt.date] = {}
    for act_id, valid_from in ProcessingActFact.objects.filter(act_id__in=at).values_list(
        "act_id", "fact__valid_from"
    ):
        earliest[act_id] = min(valid_from, earliest.get(act_id, valid_from))
    for act_id, first in earliest.items():
        if first < clock.month_start(at[act_id].astimezone(clock.PARIS).date()):
            flags[act_id].append("retroactive")
    return dict(flags)
