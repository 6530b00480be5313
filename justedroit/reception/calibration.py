"""Calibration targets of the reception twin (`justedroit twin simulate`), each with its source.

Seed: Caf de la Vienne, rapport 2022, « Renforcer notre qualité de service », « L'accueil
physique » : « En 2022, 57 262 allocataires ont été reçus dont 22 % en rendez-vous. En comparaison
à 2021, on constate une augmentation de 43 % de la fréquentation » ; « 2 428 rendez-vous
téléphoniques et 1 352 rendez-vous par visio ont été honorés, ce qui représente respectivement
19.2 % et 10.6 % des rendez-vous réalisés ».

Definitions and the seed's inconsistency, shown rather than hidden:
- « reçus » = walk-in tickets closed after an interview + appointments held (status « reçu »), all
  channels. 22 % × 57 262 = 12 598 appointments held, which matches the ≈ 12 650 implied by
  2 428 / 19.2 % (12 646) and 1 352 / 10.6 % (12 755): the seed counts phone and visio
  appointments among the « reçus ». We hold 12 598 (phone 2 428, visio 1 352, in person 8 818),
  so the phone and visio shares come out at 19.3 % and 10.7 % (published 19.2 % and 10.6 %).
- The key figures' « 17 000 rendez-vous » and « 59 500 visites » are not reproduced: they count
  differently (booked appointments, all visits incl. permanences' other partners); see INDICATORS.
- 2021 = 2022 / 1.43 for every volume (the seed gives only the overall +43 %; same mix assumed).
Everything marked « hypothèse » has no public source.
"""

SEED = "Caf de la Vienne, rapport 2022, « L'accueil physique »"

VISITORS = {2022: 57_262, 2021: round(57_262 / 1.43)}  # seed; 2021 from +43 %
APPOINTMENT_SHARE = 0.22  # seed
PHONE_HELD_2022 = 2_428  # seed
VISIO_HELD_2022 = 1_352  # seed

# hypothèses (RDV Service Public reports 10–15 % no-shows; no Caf figure is published)
NO_SHOW_RATE = 0.11  # of appointments not cancelled
EXCUSED_RATE = 0.07  # of booked: cancelled by the allocataire
REVOKED_RATE = 0.02  # of booked: cancelled by the Caf
WALK_IN_LEFT_RATE = 0.04  # walk-in visitors who leave before being called (extra tickets)
WITH_HOUSEHOLD = 0.75  # walk-in tickets where the household is identified
WAIT_MEDIAN_MIN, WAIT_SIGMA = 13.0, 0.75  # lognormal waiting time on walk-in (minutes)
SERVICE_MEDIAN_MIN, SERVICE_SIGMA = 11.0, 0.5  # lognormal interview time (minutes)

# Seasonality (hypothèse, from the Caf's own remarks on January and back-to-school peaks):
# relative volume by month, January and September highest.
MONTH_WEIGHT = [1.35, 1.0, 1.0, 0.95, 0.9, 0.95, 0.85, 0.7, 1.3, 1.05, 1.0, 0.85]
# Monday busiest, Friday quietest (hypothèse).
WEEKDAY_WEIGHT = [1.25, 1.05, 1.0, 0.95, 0.8, 0.0, 0.0]
# Walk-in arrivals by hour (hypothèse): a morning peak.
HOUR_WEIGHT = {8: 0.6, 9: 1.4, 10: 1.5, 11: 1.2, 12: 0.3, 13: 0.5, 14: 1.0, 15: 0.9, 16: 0.2}

# Where a household goes: the nearest reception point, by postcode area (bureau distributeur), as
# the commune table has no coordinates; a permanence open one day a week sends its other days'
# visitors to the nearest main site.
AREA_BY_POSTCODE = {
    **dict.fromkeys(["86200", "86120", "86330", "86420"], "loudun"),
    **dict.fromkeys(["86400", "86250", "86350", "86460", "86510", "86700"], "civray"),
    **dict.fromkeys(
        ["86500", "86150", "86290", "86310", "86320", "86390", "86410", "86430", "86260"],
        "montmorillon",
    ),
    **dict.fromkeys(
        ["86100", "86140", "86210", "86220", "86230", "86270", "86450", "86530", "86540", "37160"],
        "chatellerault",
    ),
}
FALLBACK_SITE = {"loudun": "chatellerault", "civray": "poitiers", "montmorillon": "poitiers"}
# Agents holding appointment slots, per site (hypothèse).
AGENTS_PER_SITE = {"poitiers": 5, "chatellerault": 3, "civray": 1, "montmorillon": 1, "loudun": 1}


def held(year: int) -> dict[str, int]:
    """Appointments held by channel in `year` (see the module docstring)."""
    ratio = VISITORS[year] / VISITORS[2022]
    total = round(VISITORS[year] * APPOINTMENT_SHARE)
    phone = round(PHONE_HELD_2022 * ratio)
    visio = round(VISIO_HELD_2022 * ratio)
    return {"phone": phone, "visio": visio, "in_person": total - phone - visio}
