"""Behavioural parameters of the reception simulator, each with its source.

The published volumes it meets (visitors, appointment share, phone and visio appointments) are the
reception domain's targets: `justedroit/reception/calibration.py`.
"""

import datetime as dt
from dataclasses import dataclass

from justedroit.twin.simulate.parameters import HYPOTHESIS, parameter

RDV_SERVICE_PUBLIC = "hypothèse (RDV Service Public : 10 à 15 % de rendez-vous non honorés)"
SEASONS = "hypothèse (pics de janvier et de la rentrée relevés par la Caf)"
POSTCODES = "La Poste, bureaux distributeurs de la Vienne ; sites d'accueil de la Caf"


@dataclass(frozen=True)
class ReceptionParameters:
    no_show_rate: float = parameter(
        0.11, RDV_SERVICE_PUBLIC, "rendez-vous non annulés où l'allocataire ne vient pas"
    )
    excused_rate: float = parameter(
        0.07, RDV_SERVICE_PUBLIC, "rendez-vous réservés annulés par l'allocataire"
    )
    revoked_rate: float = parameter(
        0.02, RDV_SERVICE_PUBLIC, "rendez-vous réservés annulés par la Caf"
    )
    booking_lead_days: tuple[int, int] = parameter(
        (1, 21), HYPOTHESIS, "délai entre réservation et rendez-vous, en jours (de…à exclu)"
    )
    booked_via: dict[str, float] = parameter(
        {"claimant": 0.6, "agent": 0.3, "partner": 0.1},
        HYPOTHESIS,
        "qui réserve le rendez-vous : l'allocataire, un agent, un partenaire",
    )
    slot_minutes: int = parameter(30, HYPOTHESIS, "grille des rendez-vous, en minutes")
    agents_per_site: dict[str, int] = parameter(
        {"poitiers": 5, "chatellerault": 3, "civray": 1, "montmorillon": 1, "loudun": 1},
        HYPOTHESIS,
        "agents tenant des créneaux de rendez-vous, par site",
    )
    slots_from: dt.date = parameter(
        dt.date(2021, 1, 4), HYPOTHESIS, "premier jour des créneaux des agents du jumeau"
    )
    lsf_slot: tuple[str, int, int] = parameter(
        ("poitiers", 0, 1),
        HYPOTHESIS,
        "créneau avec interprète LSF : site, agent (rang), jour de la semaine (le matin)",
    )
    walk_in_left_rate: float = parameter(
        0.04, HYPOTHESIS, "visiteurs sans rendez-vous partis avant l'appel (tickets en plus)"
    )
    with_household: float = parameter(
        0.75, HYPOTHESIS, "tickets sans rendez-vous où le foyer est identifié"
    )
    wait_minutes: tuple[float, float] = parameter(
        (13.0, 0.75), HYPOTHESIS, "attente sans rendez-vous : loi log-normale (médiane, sigma)"
    )
    service_minutes: tuple[float, float] = parameter(
        (11.0, 0.5), HYPOTHESIS, "durée de l'entretien : loi log-normale (médiane, sigma)"
    )
    visit_reasons: dict[str, float] = parameter(
        {
            "file": 0.3,
            "documents": 0.2,
            "payment": 0.15,
            "new_claim": 0.12,
            "debt": 0.08,
            "online_help": 0.1,
            "other": 0.05,
        },
        HYPOTHESIS,
        "motifs des visites sans rendez-vous",
    )
    month_weight: tuple[float, ...] = parameter(
        (1.35, 1.0, 1.0, 0.95, 0.9, 0.95, 0.85, 0.7, 1.3, 1.05, 1.0, 0.85),
        SEASONS,
        "volume relatif par mois, de janvier à décembre",
    )
    weekday_weight: tuple[float, ...] = parameter(
        (1.25, 1.05, 1.0, 0.95, 0.8, 0.0, 0.0),
        HYPOTHESIS,
        "volume relatif par jour, du lundi au dimanche (le lundi le plus chargé)",
    )
    hour_weight: dict[int, float] = parameter(
        {8: 0.6, 9: 1.4, 10: 1.5, 11: 1.2, 12: 0.3, 13: 0.5, 14: 1.0, 15: 0.9, 16: 0.2},
        HYPOTHESIS,
        "arrivées sans rendez-vous par heure (pic du matin)",
    )
    area_by_postcode: dict[str, str] = parameter(
        {
            **dict.fromkeys(["86200", "86120", "86330", "86420"], "loudun"),
            **dict.fromkeys(["86400", "86250", "86350", "86460", "86510", "86700"], "civray"),
            **dict.fromkeys(
                ["86500", "86150", "86290", "86310", "86320", "86390", "86410", "86430", "86260"],
                "montmorillon",
            ),
            **dict.fromkeys(
                [
                    *("86100", "86140", "86210", "86220", "86230"),
                    *("86270", "86450", "86530", "86540", "37160"),
                ],
                "chatellerault",
            ),
        },
        POSTCODES,
        "point d'accueil le plus proche par code postal (Poitiers pour les autres)",
    )
    fallback_site: dict[str, str] = parameter(
        {"loudun": "chatellerault", "civray": "poitiers", "montmorillon": "poitiers"},
        HYPOTHESIS,
        "site principal où vont les visiteurs d'une permanence les jours où elle est fermée",
    )


PARAMETERS = ReceptionParameters()
