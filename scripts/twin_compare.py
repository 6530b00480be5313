"""A stable digest of what the twin writes, to prove that a change of its code keeps the data.

Builds and simulates a twin in the database of DATABASE_URL (an empty one: migrate first), the
clock frozen at one instant so that two runs see the same "now", then prints one line per table:
row count and SHA-256 of its rows read back through the ORM, ordered by key, instants in UTC (so
that the digest says what the rows mean, not how a backend stores them). `--rows DIR` also writes
each table's rows, one JSON line each, to find what differs with `diff`.

Usage:
    rm -f /tmp/t.sqlite3 && export DEBUG=1 DATABASE_URL=sqlite:////tmp/t.sqlite3
    .venv/bin/justedroit migrate -v 0
    .venv/bin/python scripts/twin_compare.py --scale 0.05 --seed 86 --rows /tmp/t-rows > t.txt
"""

import argparse
import datetime as dt
import hashlib
import io
import json
import os
import sys
from decimal import Decimal
from pathlib import Path

# Instants in UTC, whatever the backend and the process's zone.
FROZEN_AT = dt.datetime(2022, 12, 30, 18, 0, tzinfo=dt.UTC)
BUILD_TABLES = (
    "registry.Household",
    "registry.Person",
    "registry.Membership",
    "registry.Claim",
    "registry.Fact",
)
SIMULATED_TABLES = (
    "reception.Appointment",
    "reception.Ticket",
    "reception.OpeningSlot",
    "channels.Call",
    "channels.CallbackRequest",
    "channels.EmailThread",
    "channels.EmailMessage",
    "channels.Document",
    "channels.Procedure",
)


def plain(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date | dt.time | Decimal):
        return str(value)
    return value


def table_rows(label: str):
    from django.apps import apps

    model = apps.get_model(label)
    names = [f.attname for f in model._meta.concrete_fields]
    for row in model.objects.order_by("pk").values_list(*names):
        yield dict(zip(names, (plain(v) for v in row), strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=86)
    parser.add_argument("--from", dest="first", default="2021-01")
    parser.add_argument("--to", dest="last", default="2022-12")
    parser.add_argument("--rows", type=Path, help="directory for the tables' rows (JSON lines)")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "justedroit.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from justedroit.core import clock

    with clock.frozen(FROZEN_AT):
        quiet = {"stdout": io.StringIO(), "stderr": io.StringIO()}
        call_command("twin", "build", "--scale", str(args.scale), "--seed", str(args.seed), **quiet)
        call_command("twin", "simulate", "--from", args.first, "--to", args.last, **quiet)
    if args.rows:
        args.rows.mkdir(parents=True, exist_ok=True)
    for label in BUILD_TABLES + SIMULATED_TABLES:
        sha, count = hashlib.sha256(), 0
        out = (args.rows / f"{label}.jsonl").open("w") if args.rows else None
        for row in table_rows(label):
            line = json.dumps(row, sort_keys=True, ensure_ascii=False)
            sha.update(line.encode() + b"\n")
            count += 1
            if out:
                out.write(line + "\n")
        if out:
            out.close()
        print(f"{label:<28} {count:>8} {sha.hexdigest()}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
