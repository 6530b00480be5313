"""Locust users for `benchmarks/bench_booking.py`: a relay partner searches free slots, then books
one of the first slots returned for a random twin household (through the `/api/v1/` API).

Not meant to be run alone: `bench_booking.py` prepares the database, starts the server and passes
the settings below through the environment:

- BENCH_TOKEN: the partner's API token;
- BENCH_HOUSEHOLDS: a file with one twin household number per line;
- BENCH_OUT: where to write the raw measures (JSON) when locust quits;
- BENCH_MAX_REQUESTS: stop the run once this many requests were sent (the run time bounds it too);
- BENCH_PICK: a booking picks at random among the first BENCH_PICK slots found (a small number
  makes users collide on the same slots, which is what the no-double-booking check needs);
- BENCH_WAIT_MIN, BENCH_WAIT_MAX: think time between two tasks of a user, in seconds.

Answers are classified here, not by locust: a 400 with a French message when the slot has just
been taken (or the household is already busy at that time) is an expected refusal, not a failure.
"""

import datetime as dt
import json
import os
import random
import time
from collections import Counter
from pathlib import Path

import gevent
from locust import HttpUser, between, events, task

TOKEN = os.environ.get("BENCH_TOKEN", "")
HOUSEHOLDS = [
    line.strip()
    for line in Path(os.environ.get("BENCH_HOUSEHOLDS", "/dev/null")).read_text().splitlines()
    if line.strip()
]
OUT = os.environ.get("BENCH_OUT", "")
MAX_REQUESTS = int(os.environ.get("BENCH_MAX_REQUESTS", "20000"))
PICK = int(os.environ.get("BENCH_PICK", "5"))
WAIT = (
    float(os.environ.get("BENCH_WAIT_MIN", "0.5")),
    float(os.environ.get("BENCH_WAIT_MAX", "1.5")),
)

SEARCH, BOOK, HEALTH = "recherche", "reservation", "sante"
# The twin's agents open Monday–Friday from 2021 onwards; "today" is pinned to 31/12/2022.
# In person: booked up to 60 days ahead; phone and visio: 30 days.
FIRST_DAY = dt.date(2023, 1, 2)
# (weight, motif, site or None, need, last day a window may start, window length in days)
# Windows start at random between FIRST_DAY and that last day.
SCENARIOS = [
    (30, "dossier-sur-place", "poitiers", None, dt.date(2023, 2, 22), 7),
    (15, "dossier-sur-place", "chatellerault", None, dt.date(2023, 2, 22), 7),
    (5, "dossier-sur-place", "civray", None, dt.date(2023, 2, 15), 14),
    (5, "dossier-sur-place", "montmorillon", None, dt.date(2023, 2, 15), 14),
    (5, "dossier-sur-place", "loudun", None, dt.date(2023, 2, 15), 14),
    (10, "dossier-sur-place", None, None, dt.date(2023, 2, 22), 7),
    (12, "dossier-telephone", None, None, dt.date(2023, 1, 23), 7),
    (12, "dossier-visio", None, None, dt.date(2023, 1, 23), 7),
    (6, "dossier-sur-place", "poitiers", "lsf", dt.date(2023, 2, 14), 14),
    # A rush on the first open days: most of these collide, then find nothing left.
    (8, "dossier-sur-place", "chatellerault", None, dt.date(2023, 1, 3), 2),
]
WEIGHTS = [s[0] for s in SCENARIOS]

latencies: dict[str, list[tuple[float, float]]] = {SEARCH: [], BOOK: [], HEALTH: []}
outcomes: Counter = Counter()
state = {"requests": 0, "full_load_at": None, "stopped_by": "durée"}


@events.request.add_listener
def record(name, response_time, **_kwargs):
    if name in latencies:
        latencies[name].append((time.time(), response_time))
    state["requests"] += 1


@events.spawning_complete.add_listener
def full_load(user_count, **_kwargs):
    if state["full_load_at"] is None:
        state["full_load_at"] = time.time()


@events.test_start.add_listener
def watch_request_count(environment, **_kwargs):
    def watch():
        while True:
            gevent.sleep(0.2)
            if state["requests"] >= MAX_REQUESTS:
                state["stopped_by"] = "nombre de requêtes"
                environment.runner.quit()
                return

    gevent.spawn(watch)


@events.quitting.add_listener
def dump(environment, **_kwargs):
    if not OUT:
        return
    Path(OUT).write_text(
        json.dumps(
            {
                "latencies": latencies,
                "outcomes": outcomes,
                "requests": state["requests"],
                "full_load_at": state["full_load_at"],
                "stopped_by": state["stopped_by"],
            }
        )
    )


class Partner(HttpUser):
    wait_time = between(*WAIT)

    def on_start(self):
        self.client.headers["Authorization"] = f"Bearer {TOKEN}"

    @task(1)
    def health(self):
        with self.client.get("/sante/", name=HEALTH, catch_response=True) as response:
            if response.status_code != 200:
                outcomes["santé en erreur"] += 1
                response.failure(f"santé : {response.status_code}")

    @task(4)
    def search_then_book(self):
        _, kind, site, need, last_start, length = random.choices(SCENARIOS, weights=WEIGHTS)[0]
        start = FIRST_DAY + dt.timedelta(days=random.randint(0, (last_start - FIRST_DAY).days))
        params = {
            "type": kind,
            "date_from": start.isoformat(),
            "date_to": (start + dt.timedelta(days=length - 1)).isoformat(),
        }
        if site:
            params["site"] = site
        if need:
            params["need"] = need
        with self.client.get(
            "/api/v1/slots", params=params, name=SEARCH, catch_response=True
        ) as response:
            if response.status_code != 200:
                outcomes["recherche en erreur"] += 1
                response.failure(f"recherche : {response.status_code} {response.text[:200]}")
                return
            slots = response.json()
            outcomes["recherches"] += 1
        if not slots:
            outcomes["recherche sans créneau"] += 1
            return
        slot = random.choice(slots[:PICK])
        body = {
            "household_number": random.choice(HOUSEHOLDS),
            "type": kind,
            "site": slot["site"],
            "starts_at": slot["starts_at"],
        }
        if need:
            body["need"] = need
        with self.client.post(
            "/api/v1/appointments", json=body, name=BOOK, catch_response=True
        ) as response:
            outcomes[_classify(response)] += 1
            if _classify(response) == "erreur":
                response.failure(f"réservation : {response.status_code} {response.text[:200]}")
            else:
                response.success()


def _classify(response) -> str:
    if response.status_code == 201:
        return "réservé"
    if response.status_code == 400:
        try:
            answer = response.json()
        except ValueError:
            return "erreur"
        message = answer.get("message", "")
        if answer.get("code") != "invalid":
            return "erreur"
        if "vient d'être réservé" in message:
            return "refusé : conflit détecté par la base"
        if "n'est pas disponible" in message or "Aucun créneau" in message:
            return "refusé : créneau déjà pris"
        if "Ce foyer a déjà" in message:
            return "refusé : foyer déjà occupé"
        return "refusé : autre motif"
    return "erreur"
