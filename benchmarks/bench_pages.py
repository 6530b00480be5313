"""Time the daily pages of issue 11 on the demo's twin: the median (and the slowest) of N requests
to each page through Django's test client, in one process, with the demo's clock.

    .venv/bin/python benchmarks/bench_pages.py [--scale 0.01] [--requests 15]

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth). The database `justedroit_pages`
(`--database-url` for another one) is prepared by `justedroit demo --scale SCALE` when it does not
hold the twin yet (a 1 % twin: about 1,100 households and their 24 paid months), then reused: a
second run only times. The clock is the demo's, 30/12/2022 at 10:30 (JUSTEDROIT_TODAY).

Each page is requested once before timing (the first request of a page pays for its templates),
then N times. "Indicateurs (recalcul)" is the manager's « Recalculer maintenant » (POST): the
year's computation; "Indicateurs (en cache)" is the page read from the kept computation. The users
are the benchmark's own (`banc-…`), one per role; the allocataire's household is the twin's with
the most payments. No page is asserted against a time: the figures go to the README.
"""

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/justedroit_pages"
TODAY = "2022-12-30T10:30"


def prepare(url: str, scale: float) -> None:
    """The demo's database at `scale`, built once (`justedroit demo` reuses what exists)."""
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
    started = time.perf_counter()
    subprocess.run(
        [
            str(Path(sys.executable).with_name("justedroit")),
            "demo",
            "--scale",
            str(scale),
            "--seed",
            "86",
        ],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    print(f"base préparée ou réutilisée en {time.perf_counter() - started:.0f} s", file=sys.stderr)


def pages(household, slot) -> list[tuple[str, str, str, str, dict]]:
    """(label, role, method, url, data): the pages named in issue 11, for `household` (the
    allocataire's, the one the agent opens) and a free `slot` of the booking grid."""
    from django.urls import reverse

    from justedroit.entitlements.models import Payment
    from justedroit.registry.selectors import members

    month = Payment.objects.filter(household=household).latest("month").month
    name = members(household).first().person.last_name
    booking = {"type": slot.type_code, "site": slot.site_slug}
    chosen = booking | {"starts_at": slot.starts_at.isoformat()}
    number = household.number
    return [
        (
            "Recherche de foyers (nom)",
            "case_worker",
            "post",
            reverse("registry:household_search"),
            {"q": name},
        ),
        (
            "Page d'un foyer",
            "case_worker",
            "get",
            reverse("registry:household_detail", args=[number]),
            {},
        ),
        (
            "File d'attente en direct",
            "reception",
            "get",
            reverse("reception:site_day", args=["poitiers"]),
            {},
        ),
        ("Écran d'appel", "reception", "get", reverse("reception:calls", args=["poitiers"]), {}),
        ("Tâches des canaux", "case_worker", "get", reverse("channels:home"), {}),
        ("Rendez-vous à renseigner", "reception", "get", reverse("reception:unmarked"), {}),
        ("Grille de réservation", "claimant", "get", reverse("portal:reception_book"), booking),
        (
            "Confirmation de réservation",
            "claimant",
            "get",
            reverse("portal:reception_confirm"),
            chosen,
        ),
        ("Mes paiements", "claimant", "get", reverse("portal:payments"), {}),
        (
            "Explication d'un paiement",
            "claimant",
            "get",
            reverse("portal:payment_explanation", args=[f"{month:%Y-%m}"]),
            {},
        ),
        ("Indicateurs (recalcul)", "manager", "post", reverse("reporting:indicators"), {}),
        ("Indicateurs (en cache)", "manager", "get", reverse("reporting:indicators"), {}),
        ("Journal d'audit", "dpo", "get", reverse("core:audit_trail"), {}),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--database-url", default=DEFAULT_DB)
    args = parser.parse_args()
    os.environ.update(
        DATABASE_URL=args.database_url,
        DEBUG="1",
        JUSTEDROIT_TODAY=TODAY,
        DJANGO_SETTINGS_MODULE="justedroit.settings",
    )
    os.environ.setdefault("JUSTEDROIT_VAR_DIR", str(ROOT / "var" / "bench-pages"))
    prepare(args.database_url, args.scale)

    import django

    django.setup()
    from django.db.models import Count, Q
    from django.test import Client
    from django.urls import reverse

    from justedroit.core import clock
    from justedroit.core.models import User
    from justedroit.core.roles import Role
    from justedroit.entitlements.models import Payment
    from justedroit.reception.models import AppointmentType
    from justedroit.reception.slots import free_slots
    from justedroit.registry.models import Household, HouseholdAccount

    household = Household.objects.get(
        pk=Payment.objects.values("household")
        .annotate(n=Count("id"))
        .order_by("-n", "household")
        .values_list("household", flat=True)
        .first()
    )
    slot = free_slots(
        appointment_type=AppointmentType.objects.get(code="dossier-sur-place"),
        first_day=clock.today(),
        last_day=clock.today() + dt.timedelta(days=60),
        limit=1,
    )[0]
    timed = pages(household, slot)
    clients = {}
    for role in {role for _, role, *_ in timed}:
        user, _ = User.objects.get_or_create(username=f"banc-{role}", defaults={"role": role})
        if role == Role.CLAIMANT:
            HouseholdAccount.objects.filter(Q(user=user) | Q(household=household)).delete()
            HouseholdAccount.objects.create(user=user, household=household)
        clients[role] = Client(SERVER_NAME="localhost")
        clients[role].force_login(user)
    clients[Role.CASE_WORKER].post(
        reverse("registry:consultation"), {"number": household.number, "reason": "call"}
    )

    rows = []
    recompute = reverse("reporting:indicators")
    for label, role, method, url, data in timed:
        send = clients[role].post if method == "post" else clients[role].get
        first = send(url, data)
        # A page read is a 200 (not a redirect to a login or a consultation reason); the
        # recomputation answers with a redirect to the page.
        assert first.status_code == (302 if (method, url) == ("post", recompute) else 200), (
            label,
            first.status_code,
        )
        times = []
        for _ in range(args.requests):
            started = time.perf_counter()
            send(url, data)
            times.append(time.perf_counter() - started)
        rows.append((label, statistics.median(times), max(times)))

    print(
        f"Jumeau à {args.scale:g} ({Household.objects.count()} foyers), {args.requests} requêtes "
        f"par page, {platform.node()} ({os.cpu_count()} cœurs), horloge {TODAY}"
    )
    print(f"| {'Page':<32} | médiane (ms) | plus lente (ms) |")
    print(f"|{'-' * 34}|-------------:|----------------:|")
    for label, median, slowest in rows:
        print(f"| {label:<32} | {median * 1000:12.0f} | {slowest * 1000:15.0f} |")


if __name__ == "__main__":
    main()
