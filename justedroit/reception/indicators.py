"""Reception indicators: visitors received, appointments held by channel, no-shows, walk-in
waiting times, visits per site. Published values: seed « L'accueil physique » (see
reception/calibration.py for the definitions and the seed's inconsistencies)."""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Q

from justedroit.core.clock import PARIS
from justedroit.core.indicators import (
    by_month,
    combine,
    indicator,
    per_month,
    shared_within_report,
)
from justedroit.reception.models import Appointment, AppointmentStatus, Site, Ticket, TicketStatus
from justedroit.reception.reference import SITES

SEED = "Caf de la Vienne, rapport 2022, « L'accueil physique »"


def _year(year: int) -> tuple[dt.datetime, dt.datetime]:
    return (
        dt.datetime(year, 1, 1, tzinfo=PARIS),
        dt.datetime(year + 1, 1, 1, tzinfo=PARIS),
    )


def _held(year: int):
    start, end = _year(year)
    return Appointment.objects.filter(
        status=AppointmentStatus.SEEN, starts_at__gte=start, starts_at__lt=end
    )


def _walk_ins(year: int):
    return Ticket.objects.filter(status=TicketStatus.DONE, day__year=year)


def _pct(part: int, whole: int) -> Decimal | None:
    return (Decimal(100 * part) / whole).quantize(Decimal("0.1")) if whole else None


@indicator(
    code="reception_visitors",
    label="Allocataires reçus",
    unit="visites",
    definition="Visites sans rendez-vous closes après entretien + rendez-vous honorés (statut "
    "« reçu »), sur place, par téléphone et en visio, dans l'année.",
    published={2022: 57_262, 2021: round(57_262 / 1.43)},
    source=f"{SEED} (2021 déduit de « +43 % »)",
)
def visitors(year: int) -> int:
    return _walk_ins(year).count() + _held(year).count()


@by_month("reception_visitors")
def visitors_by_month(year: int):
    return combine(
        lambda walk_ins, held: walk_ins + held,
        per_month(_walk_ins(year), "day"),
        per_month(_held(year), "starts_at"),
    )


@indicator(
    code="reception_appointment_share",
    better="higher",
    label="Part des allocataires reçus sur rendez-vous",
    unit="%",
    definition="Rendez-vous honorés ÷ allocataires reçus.",
    published={2022: Decimal("22.0")},
    source=SEED,
)
def appointment_share(year: int):
    return _pct(_held(year).count(), visitors(year))


@indicator(
    code="reception_appointments_held",
    label="Rendez-vous honorés (tous canaux)",
    unit="rendez-vous",
    definition="Rendez-vous au statut « reçu ». Le rapport implique ≈ 12 646 (2 428 ÷ 19,2 %) ; "
    "ses chiffres clés annoncent 17 000 rendez-vous (autre définition, non reproduite).",
    published={2022: 12_646},
    source=f"{SEED} (déduit : 2 428 ÷ 19,2 %)",
)
def appointments_held(year: int) -> int:
    return _held(year).count()


@by_month("reception_appointments_held")
def appointments_held_by_month(year: int):
    return per_month(_held(year), "starts_at")


def _channel(code, label, channel, count, share):
    @indicator(
        code=f"reception_{code}_held",
        label=f"Rendez-vous {label} honorés",
        unit="rendez-vous",
        definition=f"Rendez-vous {label} au statut « reçu ».",
        published={2022: count},
        source=SEED,
    )
    def held(year: int) -> int:
        return _held(year).filter(channel=channel).count()

    @by_month(f"reception_{code}_held")
    def held_by_month(year: int):
        return per_month(_held(year).filter(channel=channel), "starts_at")

    @indicator(
        code=f"reception_{code}_share",
        label=f"Part des rendez-vous {label}",
        unit="%",
        definition=f"Rendez-vous {label} honorés ÷ rendez-vous honorés.",
        published={2022: share},
        source=SEED,
    )
    def share(year: int):
        return _pct(_held(year).filter(channel=channel).count(), _held(year).count())


_channel("phone", "téléphoniques", "phone", 2_428, Decimal("19.2"))
_channel("visio", "en visio", "visio", 1_352, Decimal("10.6"))


@indicator(
    code="reception_no_show_rate",
    better="lower",
    label="Taux de rendez-vous non honorés (lapins)",
    unit="%",
    definition="Rendez-vous « absent » ÷ (« reçu » + « absent ») ; les annulations sont exclues.",
)
def no_show_rate(year: int):
    start, end = _year(year)
    counts = Appointment.objects.filter(starts_at__gte=start, starts_at__lt=end).aggregate(
        seen=Count("id", filter=Q(status=AppointmentStatus.SEEN)),
        no=Count("id", filter=Q(status=AppointmentStatus.NO_SHOW)),
    )
    return _pct(counts["no"], counts["seen"] + counts["no"])


@shared_within_report
def _waits(year: int) -> list[float]:
    return sorted(
        (called - arrived).total_seconds() / 60
        for arrived, called in _walk_ins(year)
        .filter(called_at__isnull=False)
        .values_list("arrived_at", "called_at")
    )


@indicator(
    code="reception_wait_mean",
    better="lower",
    label="Attente moyenne sans rendez-vous",
    unit="min",
    definition="Moyenne de (premier appel − arrivée) des visites sans rendez-vous reçues.",
)
def wait_mean(year: int):
    waits = _waits(year)
    return Decimal(sum(waits) / len(waits)).quantize(Decimal("0.1")) if waits else None


@indicator(
    code="reception_wait_p90",
    better="lower",
    label="Attente sans rendez-vous : 90e centile",
    unit="min",
    definition="90 % des visiteurs sans rendez-vous reçus ont attendu au plus cette durée "
    "(centile par rang le plus proche).",
)
def wait_p90(year: int):
    waits = _waits(year)
    if not waits:
        return None
    return Decimal(waits[max(0, -(-9 * len(waits) // 10) - 1)]).quantize(Decimal("0.1"))


@indicator(
    code="reception_wait_20min_share",
    better="higher",
    label="Part des visiteurs reçus en 20 minutes ou moins",
    unit="%",
    definition="Visites sans rendez-vous dont l'attente (premier appel − arrivée) ≤ 20 min.",
)
def wait_20(year: int):
    waits = _waits(year)
    return _pct(sum(w <= 20 for w in waits), len(waits))


def _site(slug: str, name: str):
    @indicator(
        code=f"reception_visits_{slug}",
        label=f"Allocataires reçus — {name}",
        unit="visites",
        definition=f"Visites sans rendez-vous closes + rendez-vous sur place honorés à {name}.",
    )
    def visits(year: int) -> int:
        site = Site.objects.filter(slug=slug).first()
        if site is None:
            return 0
        return (
            _walk_ins(year).filter(site=site).count()
            + _held(year).filter(site=site, channel="in_person").count()
        )


for _slug, _name, *_ in SITES:
    _site(_slug, _name)
