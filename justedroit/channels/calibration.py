"""The contact channels' published figures and the twin's targets, each with its source.

Volumes and shares marked SEED are from the Caf de la Vienne's 2022 report (chapter « Renforcer
notre qualité de service », `shared/seed/000_e6513ff44a5dc401.txt`, sections « Les documents
reçus », « Les courriels », « Le téléphone », « Le recours aux téléprocédures »). A 2021 value the
seed gives as a change is derived from it (e.g. 208 521 / 1,19). Everything marked HYPOTHESIS is an
assumption no source gives: it shapes the twin but is never shown as a published figure.

The indicators (`justedroit/channels/indicators.py`) publish the SEED values; the twin's channel
simulator (`justedroit/twin/simulate/channels/`) generates exactly these volumes and shares at
scale 1.0 (quotas, then random placement), so the gaps stay far inside ±2 %. How it behaves around
them (hours, waits, delays, mixes) is in its `parameters.py`, each parameter with its source.
"""

from dataclasses import dataclass
from decimal import Decimal

SEED = "Caf de la Vienne, rapport 2022, « Renforcer notre qualité de service »"
HYPOTHESIS = "hypothèse (aucune source publiée)"


@dataclass(frozen=True)
class YearlyTarget:
    label: str
    by_year: dict[int, Decimal | int]
    source: str

    def for_year(self, year: int):
        """The target of `year`; outside the published years, the nearest published year."""
        if year in self.by_year:
            return self.by_year[year]
        nearest = min(self.by_year, key=lambda known: abs(known - year))
        return self.by_year[nearest]


# « En 2022, 208 521 appels ont été enregistrés, soit une augmentation de 19 % par rapport à 2021. »
CALLS_RECEIVED = YearlyTarget(
    "Appels reçus au 3230", {2022: 208_521, 2021: round(208_521 / 1.19)}, f"{SEED} (2021 : ÷ 1,19)"
)
# « En 2022, 32 921 mails ont été traités soit une progression de 19.7 % par rapport à 2021. »
EMAILS_HANDLED = YearlyTarget(
    "Courriels traités", {2022: 32_921, 2021: round(32_921 / 1.197)}, f"{SEED} (2021 : ÷ 1,197)"
)
# « La part des flux entrants papiers ne représente plus que 8 % des arrivées 2022 contre 10 % en
# 2021. »
PAPER_SHARE = YearlyTarget(
    "Part du papier dans les documents reçus (%)", {2022: Decimal("8"), 2021: Decimal("10")}, SEED
)
# « En 2022, ce taux [de documents traités automatiquement] s'élève à 33 % contre 31.6 % en 2021. »
AUTO_RATE = YearlyTarget(
    "Documents traités automatiquement (%)", {2022: Decimal("33"), 2021: Decimal("31.6")}, SEED
)
# « le recours aux téléprocédures est de 92 % en 2022, en progression de 2 points »
ONLINE_RATE = YearlyTarget(
    "Recours aux téléprocédures (%)", {2022: Decimal("92"), 2021: Decimal("90")}, SEED
)

# ---- Hypotheses: volumes the seed does not give -----------------------------------------------
DOCUMENTS_RECEIVED = YearlyTarget(
    "Documents reçus (volume du jumeau)", {2022: 45_000, 2021: 42_000}, HYPOTHESIS
)
PROCEDURES = YearlyTarget(
    "Demandes et déclarations (volume du jumeau)", {2022: 30_000, 2021: 28_000}, HYPOTHESIS
)
CALL_ANSWER_RATE = YearlyTarget(
    "Taux de décroché (%)", {2022: Decimal("83"), 2021: Decimal("86")}, HYPOTHESIS
)

PUBLISHED_TARGETS = [CALLS_RECEIVED, EMAILS_HANDLED, PAPER_SHARE, AUTO_RATE, ONLINE_RATE]
