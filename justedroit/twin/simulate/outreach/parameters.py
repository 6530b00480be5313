"""The access-to-rights behaviours of the twin's households and partners, with their sources."""

from dataclasses import dataclass

from justedroit.twin.simulate.parameters import HYPOTHESIS, parameter

SEED = "rapport 2022 de la Caf de la Vienne, « Renforcer l'accès aux droits »"


@dataclass(frozen=True)
class OutreachParameters:
    mobile_known_share: float = parameter(
        0.84,
        f"calibré sur le {SEED} : 84 % des allocataires repérés contactés par SMS, 16 % par "
        "téléphone (un SMS quand la Caf connaît un mobile)",
        "part des foyers dont la Caf connaît un numéro de mobile",
    )
    phone_reached_share: float = parameter(
        0.70, HYPOTHESIS, "part des appels de campagne où l'allocataire est joint"
    )
    claim_after_contact: float = parameter(
        0.2216,
        f"calibré sur le {SEED} : 72 droits ouverts pour 341 repérés (21,1 %), divisé par la "
        "part des repérés effectivement joints (0,84 + 0,16 × 0,70 = 0,952)",
        "probabilité qu'un allocataire joint (SMS remis ou appel abouti) fasse la demande",
    )
    claim_without_contact: float = parameter(
        0.03,
        HYPOTHESIS,
        "probabilité qu'un repéré non contacté (groupe de comparaison) demande de lui-même dans "
        "les 6 mois",
    )
    response_delay_days: tuple = parameter(
        (3, 45), HYPOTHESIS, "délai entre le contact et la demande, en jours (tirage uniforme)"
    )
    campaign_month: str = parameter(
        "2022-03", SEED + " (une requête par an)", "mois de la campagne de l'année (AAAA-MM)"
    )
    meeting_day: int = parameter(
        10, HYPOTHESIS, "jour du mois de la réunion mensuelle d'information des partenaires"
    )
    meeting_attendance: float = parameter(
        0.75, HYPOTHESIS, "probabilité qu'un partenaire invité assiste à la réunion mensuelle"
    )
    halte_repit_people: tuple = parameter(
        (4, 3, 4, 3, 3),
        SEED + " : permanences bimensuelles à la Halte-Répit avec la Cpam, avril–juin 2022, "
        "5 tenues, 17 personnes reçues (répartition par séance : hypothèse)",
        "personnes reçues à chacune des 5 permanences",
    )


PARAMETERS = OutreachParameters()
