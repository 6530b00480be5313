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
How the twin behaves around these volumes (no-shows, waits, seasons, where households go) is in
`justedroit/twin/simulate/reception/parameters.py`, each parameter with its source.
"""

SEED = "Caf de la Vienne, rapport 2022, « L'accueil physique »"

VISITORS = {2022: 57_262, 2021: round(57_262 / 1.43)}  # seed; 2021 from +43 %
APPOINTMENT_SHARE = 0.22  # seed
PHONE_HELD_2022 = 2_428  # seed
VISIO_HELD_2022 = 1_352  # seed


def held(year: int) -> dict[str, int]:
    """Appointments held by channel in `year` (see the module docstring)."""
    ratio = VISITORS[year] / VISITORS[2022]
    total = round(VISITORS[year] * APPOINTMENT_SHARE)
    phone = round(PHONE_HELD_2022 * ratio)
    visio = round(VISIO_HELD_2022 * ratio)
    return {"phone": phone, "visio": visio, "in_person": total - phone - visio}
