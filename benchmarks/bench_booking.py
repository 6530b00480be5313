"""Benchmark: free-slot search + booking through the API, 50 concurrent users, PostgreSQL
(goal: p95 ≤ 200 ms and zero double bookings).

    .venv/bin/python benchmarks/bench_booking.py [--users 50] [--run-time 60] [--max-requests 20000]

About 1 min 40 s in all.

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth): the database `justedroit_bench`
is dropped and recreated at each run (`--database-url` to use another one). Steps, all in one run:

1. migrate, build the twin (scale 0.1, seed 86), simulate its reception for December 2022 (which
   creates the twin agents and their open-ended weekly opening slots, and a month of past
   appointments), create a relay partner (Espace France Services) and its API token; "today" is
   pinned to 31/12/2022, so January–February 2023 are bookable;
2. start gunicorn on 127.0.0.1 only (DEBUG off), wait until it answers;
3. run locust headless (`benchmarks/locust_booking.py`) against it, twice: first one user without
   think time (the baseline: the code's latency alone, same server, same data), then 50 users
   with 0.5–1.5 s of think time. Each user searches free slots (motif, site, a 2- to 14-day
   window, sometimes the LSF need) then books one of the first slots found for a random twin
   household; users collide on purpose (a rush on the first days at Châtellerault, the scarce LSF
   slots). The `/sante/` health page (no database) is requested in the same load. Each run stops
   at the first of its time bound and `--max-requests` requests;
4. stop the server, then check in SQL that no two active appointments overlap for one agent or
   one accessibility resource, that no site holds more in-person appointments at once than it has
   desks, and that every 201 answer matches exactly one appointment written.

Latencies are taken once all users are running (the ramp-up is left out). Ratios to the 1-user
baseline are the figures to compare between runs: the machine is shared and noisy. Locust runs on
the same machine as the server and PostgreSQL; the CPU each used is printed.
"""

import argparse
import datetime as dt
import json
import os
import platform
import resource
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
LOCUSTFILE = Path(__file__).resolve().parent / "locust_booking.py"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/justedroit_bench"
TODAY = "2022-12-31"
GOAL_P95_MS = 200
SEARCH, BOOK, HEALTH = "recherche", "reservation", "sante"

SETUP = r"""
import datetime as dt, json, sys, django
django.setup()
from django.core.management import call_command
from django.db import transaction
from justedroit.core.roles import Role
from justedroit.core.models import User
from justedroit.reception import services
from justedroit.registry.models import Household
from justedroit.twin.build import twin_build
from justedroit.twin.simulate import reception

call_command("migrate", verbosity=0)
build = twin_build(seed=86, scale=0.1)
with transaction.atomic():
    december = dt.date(2022, 12, 1)
    counts = reception.simulate(first_month=december, last_month=december, seed=86, scale=0.1)
partner = User.objects.create(
    username="bench-efs-civray", role=Role.PARTNER_EFS,
    organisation="Espace France Services de Civray (banc d'essai)",
)
token = services.api_token_create(user=partner, acting_user=None)
numbers = list(Household.objects.values_list("number", flat=True))
print(json.dumps({"token": token, "partner_id": partner.id, "households": numbers,
                  "twin_appointments": counts["rendez_vous"]}))
"""

# Each query returns offending rows; the benchmark passes when all return none.
CHECKS = {
    "chevauchements pour un agent": """
        SELECT a.id, b.id FROM reception_appointment a
        JOIN reception_appointment b
          ON a.agent_id = b.agent_id AND a.id < b.id
         AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
        WHERE a.status IN ('booked', 'seen', 'no_show')
          AND b.status IN ('booked', 'seen', 'no_show')""",
    "chevauchements pour une ressource d'accessibilité": """
        SELECT a.id, b.id FROM reception_appointment a
        JOIN reception_appointment b
          ON a.resource_id = b.resource_id AND a.id < b.id
         AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
        WHERE a.resource_id IS NOT NULL
          AND a.status IN ('booked', 'seen', 'no_show')
          AND b.status IN ('booked', 'seen', 'no_show')""",
    # The most in-person appointments at once at a site is reached at some appointment's start.
    "dépassements de la capacité d'un lieu": """
        SELECT a.id, s.slug, count(*) AS at_once, s.desks
        FROM reception_appointment a
        JOIN reception_site s ON s.id = a.site_id
        JOIN reception_appointment b
          ON b.site_id = a.site_id AND b.channel = 'in_person'
         AND b.status IN ('booked', 'seen', 'no_show')
         AND b.starts_at <= a.starts_at AND a.starts_at < b.ends_at
        WHERE a.channel = 'in_person' AND a.status IN ('booked', 'seen', 'no_show')
        GROUP BY a.id, s.slug, s.desks
        HAVING count(*) > s.desks""",
    "chevauchements pour un foyer (réservés par le banc)": """
        SELECT a.id, b.id FROM reception_appointment a
        JOIN reception_appointment b
          ON a.household_id = b.household_id AND a.id < b.id
         AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
        WHERE a.status IN ('booked', 'seen', 'no_show')
          AND b.status IN ('booked', 'seen', 'no_show')
          AND a.booked_by_id = %(partner)s AND b.booked_by_id = %(partner)s""",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def recreate_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def wait_until_up(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"Le serveur s'est arrêté au démarrage (code {server.returncode}).")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("Le serveur ne répond pas après 60 s.")


def warm_up(base_url: str, token: str, requests: int) -> None:
    """Searches sent before the measure, so that every worker thread has imported the views,
    opened its database connection and filled its caches (not measured)."""
    query = "type=dossier-sur-place&date_from=2023-01-09&date_to=2023-01-15"
    request = urllib.request.Request(
        f"{base_url}/api/v1/slots?{query}", headers={"Authorization": f"Bearer {token}"}
    )

    def one(_):
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()

    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(one, range(requests)))


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _proc_stats() -> list[tuple[int, int, str, float]]:
    """(pid, ppid, name, CPU seconds incl. reaped children) of every process, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    rows = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name, fields = text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 2 :]
        fields = fields.split()
        # utime, stime, cutime, cstime: ended children (PostgreSQL backends, reaped by the
        # postmaster) are counted in their parent's time.
        rows.append((int(stat.parent.name), int(fields[1]), name, sum(map(int, fields[11:15]))))
    return [(pid, ppid, name, cpu / ticks) for pid, ppid, name, cpu in rows]


def cpu_snapshot(server_pid: int) -> dict[str, float]:
    """CPU seconds so far of the gunicorn master and workers, and of the local PostgreSQL."""
    rows = _proc_stats()
    return {
        "gunicorn": sum(cpu for pid, ppid, _, cpu in rows if server_pid in (pid, ppid)),
        "postgres": sum(cpu for _, _, name, cpu in rows if name == "postgres"),
    }


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    ticks = os.sysconf("SC_CLK_TCK")
    return (sum(fields[:8]) - idle) / ticks, sum(fields[:8]) / ticks


def run_load(
    *, base_url, env, folder, label, users, spawn_rate, run_time, max_requests, wait, server_pid
) -> dict:
    """One headless locust run; returns its raw measures, duration and CPU use."""
    raw = folder / f"measures-{label}.json"
    locust_env = {
        **env,
        "BENCH_OUT": str(raw),
        "BENCH_MAX_REQUESTS": str(max_requests),
        "BENCH_WAIT_MIN": str(wait[0]),
        "BENCH_WAIT_MAX": str(wait[1]),
    }
    before = {**cpu_snapshot(server_pid), "locust": children_cpu()}
    machine_before = machine_busy()
    clock = time.perf_counter()
    load = subprocess.run(
        [
            str(VENV_BIN / "locust"),
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(spawn_rate),
            "--run-time",
            f"{run_time}s",
            "--stop-timeout",
            "10",
            "--host",
            base_url,
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--csv",
            str(folder / f"locust-{label}"),
        ],
        env=locust_env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=run_time + 90,
    )
    seconds = time.perf_counter() - clock
    after = {**cpu_snapshot(server_pid), "locust": children_cpu()}
    machine_after = machine_busy()
    (folder / f"locust-{label}.log").write_text(load.stdout + load.stderr)
    if not raw.exists():
        sys.stderr.write(load.stdout[-3000:] + load.stderr[-3000:])
        raise SystemExit("Locust n'a pas écrit ses mesures.")
    cpu = {key: after[key] - before[key] for key in before}
    cpu["machine"] = machine_after[0] - machine_before[0]
    cpu["available"] = machine_after[1] - machine_before[1]
    return {"measures": json.loads(raw.read_text()), "seconds": seconds, "cpu": cpu}


def percentiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) < 2:
        return (values[0],) * 3 if values else (float("nan"),) * 3
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--run-time", type=int, default=60, help="secondes de charge au plus")
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--baseline-time", type=int, default=15, help="secondes à 1 utilisateur")
    parser.add_argument("--workers", type=int, default=4, help="processus gunicorn")
    parser.add_argument("--threads", type=int, default=4, help="fils par processus gunicorn")
    parser.add_argument("--pick", type=int, default=5, help="choix parmi les N premiers créneaux")
    parser.add_argument("--wait-min", type=float, default=0.5, help="pause mini (s)")
    parser.add_argument("--wait-max", type=float, default=1.5, help="pause maxi (s)")
    parser.add_argument("--database-url", default=DEFAULT_DB)
    args = parser.parse_args()
    host = args.database_url.split("@", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0]
    if host not in ("127.0.0.1", "localhost"):
        raise SystemExit("La base doit être locale (127.0.0.1).")

    started_at = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    folder = Path(tempfile.mkdtemp(prefix="bench_booking_"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "justedroit.settings",
        "DATABASE_URL": args.database_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "JUSTEDROIT_TODAY": TODAY,
        "JUSTEDROIT_VAR_DIR": str(folder / "var"),
        "LOG_LEVEL": "ERROR",
        "PYTHONPATH": str(ROOT),
    }

    clock = time.perf_counter()
    recreate_database(args.database_url)
    setup = subprocess.run(
        [sys.executable, "-c", SETUP], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if setup.returncode:
        sys.stderr.write(setup.stderr)
        raise SystemExit("Échec de la préparation de la base.")
    prepared = json.loads(setup.stdout.strip().splitlines()[-1])
    setup_seconds = time.perf_counter() - clock
    households = folder / "households.txt"
    households.write_text("\n".join(prepared["households"]))
    env.update(
        {
            "BENCH_TOKEN": prepared["token"],
            "BENCH_HOUSEHOLDS": str(households),
            "BENCH_PICK": str(args.pick),
        }
    )

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    server_log = (folder / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "justedroit.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--worker-class",
            "gthread",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    common = {"base_url": base_url, "env": env, "folder": folder, "server_pid": server.pid}
    try:
        wait_until_up(f"{base_url}/sante/", server)
        warm_up(base_url, prepared["token"], requests=8 * args.workers * args.threads)
        # How busy the shared machine is without us: 3 s idle, our server and database left out.
        ours_before, idle_before = cpu_snapshot(server.pid), machine_busy()
        time.sleep(3)
        ours_after, idle_after = cpu_snapshot(server.pid), machine_busy()
        ours = sum(ours_after.values()) - sum(ours_before.values())
        noise = (idle_after[0] - idle_before[0] - ours) / (idle_after[1] - idle_before[1])
        # Baseline in the same run: one user, no think time — the latency of the code alone.
        alone = run_load(
            **common,
            label="1-utilisateur",
            users=1,
            spawn_rate=1,
            run_time=args.baseline_time,
            max_requests=args.max_requests,
            wait=(0, 0),
        )
        loaded = run_load(
            **common,
            label=f"{args.users}-utilisateurs",
            users=args.users,
            spawn_rate=args.spawn_rate,
            run_time=args.run_time,
            max_requests=args.max_requests,
            wait=(args.wait_min, args.wait_max),
        )
    finally:
        stop(server)
        server_log.close()
    report(args, prepared, alone, loaded, started_at, setup_seconds, noise, folder)


def figures(run: dict) -> tuple[dict, int]:
    """Latencies per request kind once all users run, and how many ramp-up requests are left out."""
    measures = run["measures"]
    since = measures["full_load_at"] or 0
    kept = {
        name: [ms for at, ms in rows if at >= since] for name, rows in measures["latencies"].items()
    }
    total = sum(len(rows) for rows in measures["latencies"].values())
    return kept, total - sum(len(rows) for rows in kept.values())


def report(args, prepared, alone, loaded, started_at, setup_seconds, noise, folder) -> None:
    import psycopg

    with psycopg.connect(args.database_url) as connection:
        found = {
            label: connection.execute(sql, {"partner": prepared["partner_id"]}).fetchall()
            for label, sql in CHECKS.items()
        }
        written = connection.execute(
            "SELECT count(*) FROM reception_appointment WHERE booked_by_id = %s",
            (prepared["partner_id"],),
        ).fetchone()[0]
    outcomes = {}
    for run in (alone, loaded):
        for key, value in run["measures"]["outcomes"].items():
            outcomes[key] = outcomes.get(key, 0) + value
    booked = outcomes.get("réservé", 0)
    double_bookings = sum(len(rows) for rows in found.values())

    print(
        f"Recherche de créneaux + réservation (API /api/v1/) — {started_at}, "
        f"{platform.machine()}, {os.cpu_count()} cœurs, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )
    print(
        f"  PostgreSQL local, jumeau échelle 0.1 ({len(prepared['households'])} foyers, "
        f"{prepared['twin_appointments']} rendez-vous simulés en décembre 2022), "
        f"aujourd'hui = {TODAY} ; préparation {setup_seconds:.0f} s"
    )
    print(
        f"  gunicorn {args.workers} processus × {args.threads} fils sur 127.0.0.1, DEBUG=0 ; "
        f"locust sur la même machine ; réservation parmi les {args.pick} premiers créneaux "
        "trouvés"
    )
    print(
        f"  machine partagée : occupée à {noise:.0%} par d'autres processus juste avant les "
        "mesures (3 s sans requêtes)"
    )
    kept_alone, _ = figures(alone)
    kept, ramp_up = figures(loaded)
    labels = {SEARCH: "recherche de créneaux", BOOK: "réservation", HEALTH: "page /sante/"}
    p95 = {}
    for title, run, rows in (
        (f"1 utilisateur sans pause, {alone['seconds']:.0f} s (référence)", alone, kept_alone),
        (
            f"{args.users} utilisateurs (montée {args.spawn_rate:g}/s), pause "
            f"{args.wait_min:g}–{args.wait_max:g} s, {loaded['seconds']:.0f} s",
            loaded,
            kept,
        ),
    ):
        measures, cpu = run["measures"], run["cpu"]
        other = cpu["machine"] - cpu["gunicorn"] - cpu["postgres"] - cpu["locust"]
        print(f"  — {title}")
        print(
            f"    {measures['requests']} requêtes (bornes : {args.max_requests} requêtes ; arrêt "
            f"par {measures['stopped_by']}), {measures['requests'] / run['seconds']:.0f} requêtes/s"
        )
        print(
            f"    processeur : machine occupée à {cpu['machine'] / cpu['available']:.0%} — "
            f"gunicorn {cpu['gunicorn']:.0f} s, PostgreSQL {cpu['postgres']:.0f} s, locust "
            f"{cpu['locust']:.0f} s, autres processus {other:.0f} s, sur {cpu['available']:.0f} s"
        )
        print(f"    {'requête':<24} {'nombre':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
        p95[id(run)] = {}
        for name, label in labels.items():
            p50, p95[id(run)][name], p99 = percentiles(rows[name])
            print(
                f"    {label:<24} {len(rows[name]):>7} {p50:>8.0f} "
                f"{p95[id(run)][name]:>8.0f} {p99:>8.0f}"
            )
    print(f"    ({ramp_up} requêtes de la montée en charge écartées)")
    under, base = p95[id(loaded)], p95[id(alone)]
    print(
        f"  rapports des p95 : {args.users} utilisateurs / 1 utilisateur — recherche "
        f"×{under[SEARCH] / base[SEARCH]:.1f}, réservation ×{under[BOOK] / base[BOOK]:.1f}, "
        f"/sante/ ×{under[HEALTH] / base[HEALTH]:.1f} ; sous charge, rapport à /sante/ — "
        f"recherche ×{under[SEARCH] / under[HEALTH]:.1f}, "
        f"réservation ×{under[BOOK] / under[HEALTH]:.1f}"
    )
    worst = max(under[SEARCH], under[BOOK])
    verdict = "atteint" if worst <= GOAL_P95_MS else "NON atteint"
    print(
        f"  objectif p95 ≤ {GOAL_P95_MS} ms à {args.users} utilisateurs (recherche et "
        f"réservation) : {verdict} ({worst:.0f} ms)"
    )
    refused = {k: v for k, v in outcomes.items() if k.startswith("refusé")}
    print(
        f"  recherches (2 phases) : {outcomes.get('recherches', 0)} réussies, dont "
        f"{outcomes.get('recherche sans créneau', 0)} sans créneau libre ; "
        f"{outcomes.get('recherche en erreur', 0)} en erreur"
    )
    attempts = booked + sum(refused.values()) + outcomes.get("erreur", 0)
    print(
        f"  réservations (2 phases) : {attempts} tentées, {booked} réussies (201), "
        f"{sum(refused.values())} refusées avec un message en français (400), "
        f"{outcomes.get('erreur', 0)} en erreur"
    )
    for label, count in sorted(refused.items()):
        print(f"    {label} : {count}")
    errors = sum(v for k, v in outcomes.items() if "erreur" in k)
    print(f"  erreurs (toutes requêtes) : {errors}")
    print(f"  rendez-vous écrits par le partenaire du banc : {written} (réponses 201 : {booked})")
    for label, rows in found.items():
        print(f"  {label} : {len(rows)}")
    print(f"  doubles réservations : {double_bookings} (objectif 0)")
    if written != booked:
        print("  ATTENTION : le nombre de rendez-vous écrits ne correspond pas aux réponses 201.")
    print(f"  fichiers bruts (mesures, CSV et journal de locust, journal gunicorn) : {folder}")


if __name__ == "__main__":
    main()
