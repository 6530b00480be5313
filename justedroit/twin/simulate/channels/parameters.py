"""Behavioural parameters of the contact channels' simulator, each with its source.

The volumes and shares it meets (calls, e-mails, paper share, automatic processing, online
procedures; the twin's documents and procedures volumes) are the channels domain's targets:
`justedroit/channels/calibration.py`. Durations are in seconds unless the name says otherwise.
"""

from dataclasses import dataclass

from justedroit.twin.simulate.parameters import HYPOTHESIS, parameter

CNAF_TELEPHONY = "hypothèse (allure des rapports de téléphonie de la Cnaf)"


@dataclass(frozen=True)
class ChannelsParameters:
    # --- when things happen
    month_weight: tuple[float, ...] = parameter(
        (1.15, 1.0, 1.0, 0.95, 0.9, 0.95, 0.9, 0.75, 1.15, 1.1, 1.05, 1.0),
        CNAF_TELEPHONY,
        "volume relatif par mois (janvier : réexamens annuels ; septembre-octobre : rentrée, ARS ;"
        " août le plus calme)",
    )
    weekday_weight: tuple[float, ...] = parameter(
        (1.3, 1.05, 1.0, 0.9, 0.85, 0.35, 0.3),
        HYPOTHESIS,
        "volume relatif par jour, du lundi au dimanche",
    )
    office_opens_hour: int = parameter(9, HYPOTHESIS, "ouverture du 3230 et des guichets (heure)")
    half_hour_weight: tuple[float, ...] = parameter(
        (1.6, 1.5, 1.4, 1.3, 1.2, 1.0, 0.7, 0.8, 1.0, 1.0, 0.9, 0.8, 0.6, 0.5, 0.4),
        HYPOTHESIS,
        "activité aux heures de bureau, par demi-heure de 9 h à 16 h 30 (pic à l'ouverture)",
    )
    online_hour_weight: tuple[float, ...] = parameter(
        (
            *(0.2, 0.1, 0.05, 0.05, 0.05, 0.1, 0.3, 0.8, 1.3, 1.6, 1.6, 1.5),  # 0 h – 11 h
            *(1.2, 1.3, 1.5, 1.5, 1.4, 1.3, 1.2, 1.1, 1.1, 1.0, 0.7, 0.4),  # 12 h – 23 h
        ),
        HYPOTHESIS,
        "activité en ligne par heure, de 0 h à 23 h",
    )
    # --- calls
    call_queues: dict[str, float] = parameter(
        {"general": 0.40, "rsa_ppa": 0.20, "housing": 0.15, "family": 0.15, "recovery": 0.10},
        HYPOTHESIS,
        "files d'attente du 3230",
    )
    calls_identified_share: float = parameter(
        0.75, HYPOTHESIS, "appelants identifiés par leur numéro allocataire"
    )
    answered_wait: tuple[float, float] = parameter(
        (110, 0.9), HYPOTHESIS, "attente avant décroché : loi log-normale (médiane, sigma)"
    )
    abandoned_wait: tuple[float, float] = parameter(
        (160, 0.8), HYPOTHESIS, "attente avant abandon : loi log-normale (médiane, sigma)"
    )
    wait_bounds: tuple[int, int] = parameter((5, 1800), HYPOTHESIS, "attente : bornes")
    talk: tuple[float, float] = parameter(
        (330, 0.6), HYPOTHESIS, "durée de conversation : loi log-normale (médiane, sigma)"
    )
    talk_bounds: tuple[int, int] = parameter((30, 3600), HYPOTHESIS, "conversation : bornes")
    callback_share_of_abandoned: float = parameter(
        0.02, HYPOTHESIS, "appels abandonnés identifiés suivis d'une demande de rappel"
    )
    callback_after: int = parameter(
        26 * 3600, HYPOTHESIS, "rappel fait le lendemain ouvré, 26 h après l'appel"
    )
    # --- e-mails
    emails_identified_share: float = parameter(
        0.85, HYPOTHESIS, "courriels dont l'expéditeur est un allocataire connu"
    )
    reply_days: dict[int, float] = parameter(
        {0: 0.25, 1: 0.3, 2: 0.2, 3: 0.1, 4: 0.07, 5: 0.05, 8: 0.03},
        HYPOTHESIS,
        "délai de réponse en jours ouvrés",
    )
    reply_from: int = parameter(30_600, HYPOTHESIS, "réponses à partir de 8 h 30 (secondes)")
    reply_window: int = parameter(30_600, HYPOTHESIS, "réponses étalées sur 8 h 30 (secondes)")
    same_day_reply: tuple[int, int] = parameter(
        (600, 7200), HYPOTHESIS, "réponse le jour même, après le message : de 10 min à 2 h"
    )
    email_backlog_share: float = parameter(
        0.012, HYPOTHESIS, "courriels de l'année encore sans réponse à la date de référence"
    )
    backlog_days: int = parameter(5, HYPOTHESIS, "derniers jours ouvrés où arrive ce reliquat")
    # --- documents
    document_kinds_manual: dict[str, float] = parameter(
        {
            "payslip": 0.3,
            "rent_receipt": 0.2,
            "identity": 0.15,
            "bank_details": 0.1,
            "school_certificate": 0.1,
            "other": 0.15,
        },
        HYPOTHESIS,
        "nature des documents traités par un agent",
    )
    processing_days: tuple[float, float] = parameter(
        (6, 0.85), HYPOTHESIS, "délai de traitement, jours : loi log-normale (médiane, sigma)"
    )
    processing_days_bounds: tuple[float, float] = parameter(
        (0.2, 120), HYPOTHESIS, "délai de traitement : bornes (jours)"
    )
    processing_from: int = parameter(32_400, HYPOTHESIS, "traitements à partir de 9 h (secondes)")
    processing_window: int = parameter(25_200, HYPOTHESIS, "traitements étalés sur 7 h")
    automatic_after: int = parameter(
        300, HYPOTHESIS, "intégration automatique, 5 minutes après la réception (secondes)"
    )
    rejected_share: float = parameter(0.06, HYPOTHESIS, "documents refusés (illisibles)")
    document_bytes: tuple[int, int] = parameter(
        (40_000, 3_000_000), HYPOTHESIS, "taille d'un document déposé, en octets"
    )
    # --- procedures and shared vocabularies
    procedure_kinds: dict[str, float] = parameter(
        {
            "resources_declaration": 0.45,
            "situation_change": 0.2,
            "claim": 0.15,
            "address_change": 0.12,
            "bank_details": 0.08,
        },
        HYPOTHESIS,
        "nature des démarches",
    )
    paper_channels: dict[str, float] = parameter(
        {"paper": 0.5, "desk": 0.3, "partner": 0.2},
        HYPOTHESIS,
        "canal des démarches faites hors ligne",
    )
    reasons: dict[str, float] = parameter(
        {
            "payment": 0.30,
            "situation": 0.20,
            "claim": 0.15,
            "document": 0.15,
            "debt": 0.08,
            "account": 0.07,
            "other": 0.05,
        },
        HYPOTHESIS,
        "motifs des appels et des courriels",
    )


PARAMETERS = ChannelsParameters()
