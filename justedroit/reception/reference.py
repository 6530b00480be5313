"""Reference data of the Caf de la Vienne's reception, loaded by migration 0002.

Seed, « L'accueil physique » : the public is received in Poitiers and Châtellerault Monday to
Friday, walk-in and on appointment; Poitiers offers appointment slots for hearing-impaired people
on Tuesday morning; three permanences in Civray, Montmorillon and Loudun; appointments are also
held by phone and visio. Addresses and hours below are illustrative (not in the seed).
"""

import datetime as dt

T = dt.time
FULL_DAY = [(T(8, 30), T(12, 30)), (T(13, 30), T(16, 30))]

# slug, name, kind, commune, address, walk-in, appointments, remote, desks, {weekday: hours}
SITES = [
    (
        "poitiers",
        "Caf de Poitiers",
        "site",
        "86194",
        "41 rue du Touffenet, 86000 Poitiers",
        True,
        True,
        True,
        6,
        {day: FULL_DAY for day in range(5)},
    ),
    (
        "chatellerault",
        "Caf de Châtellerault",
        "site",
        "86066",
        "9 rue Aliénor d'Aquitaine, 86100 Châtellerault",
        True,
        True,
        True,
        3,
        {day: FULL_DAY for day in range(5)},
    ),
    (
        "civray",
        "Permanence de Civray",
        "permanence",
        "86078",
        "Maison France Services, 86400 Civray",
        True,
        True,
        False,
        1,
        {1: FULL_DAY},
    ),
    (
        "montmorillon",
        "Permanence de Montmorillon",
        "permanence",
        "86165",
        "Maison France Services, 86500 Montmorillon",
        True,
        True,
        False,
        1,
        {3: FULL_DAY},
    ),
    (
        "loudun",
        "Permanence de Loudun",
        "permanence",
        "86137",
        "Maison France Services, 86200 Loudun",
        True,
        True,
        False,
        1,
        {2: FULL_DAY},
    ),
]

RESOURCES = [
    ("poitiers", "lsf", "Interprète LSF (mardi matin)"),
    ("poitiers", "written", "Relais écrit — transcription (mardi matin)"),
]

DOCUMENTS_ID = ["Pièce d'identité", "Numéro allocataire ou attestation"]
# code, label, channel, minutes, min delay (min), max delay (days), claimant, partner,
# cancel until (h before), move until (h before), documents
TYPES = [
    (
        "dossier-sur-place",
        "Entretien sur votre dossier",
        "in_person",
        30,
        120,
        60,
        True,
        True,
        24,
        48,
        DOCUMENTS_ID,
    ),
    (
        "premiere-demande",
        "Première demande de prestation",
        "in_person",
        45,
        24 * 60,
        60,
        True,
        True,
        24,
        48,
        [*DOCUMENTS_ID, "Avis d'imposition", "Bail ou quittance de loyer", "RIB"],
    ),
    (
        "dette-indu",
        "Dette ou indu : plan de remboursement",
        "in_person",
        30,
        120,
        90,
        False,
        True,
        None,
        None,
        [*DOCUMENTS_ID, "Justificatifs de ressources et de charges"],
    ),
    (
        "dossier-telephone",
        "Rendez-vous téléphonique",
        "phone",
        20,
        60,
        30,
        True,
        True,
        4,
        24,
        [],
    ),
    (
        "dossier-visio",
        "Rendez-vous en visio",
        "visio",
        30,
        120,
        30,
        True,
        True,
        4,
        24,
        ["Pièce d'identité à montrer à l'écran"],
    ),
]


def load(apps, using: str) -> None:
    """Writes through the connection the migration runs on (`using`), not the default one."""
    site_model = apps.get_model("reception", "Site")
    hours_model = apps.get_model("reception", "OpeningHours")
    resource_model = apps.get_model("reception", "AccessibilityResource")
    type_model = apps.get_model("reception", "AppointmentType")
    commune_model = apps.get_model("registry", "Commune")
    sites = {}
    for slug, name, kind, commune, address, walk_in, appts, remote, desks, week in SITES:
        sites[slug] = site_model.objects.using(using).create(
            slug=slug,
            name=name,
            kind=kind,
            commune=commune_model.objects.using(using).get(pk=commune),
            address=address,
            offers_walk_in=walk_in,
            offers_appointments=appts,
            offers_remote=remote,
            desks=desks,
        )
        for weekday, spans in week.items():
            for opens, closes in spans:
                hours_model.objects.using(using).create(
                    site=sites[slug], weekday=weekday, opens=opens, closes=closes
                )
    for slug, kind, name in RESOURCES:
        resource_model.objects.using(using).create(site=sites[slug], kind=kind, name=name)
    for code, label, channel, minutes, min_delay, max_delay, *rest in TYPES:
        claimant, partner, cancel, move, documents = rest
        type_model.objects.using(using).create(
            code=code,
            label=label,
            channel=channel,
            duration_minutes=minutes,
            min_delay_minutes=min_delay,
            max_delay_days=max_delay,
            claimant_may_book=claimant,
            partner_may_book=partner,
            cancel_until_hours=cancel,
            move_until_hours=move,
            documents=documents,
        )
