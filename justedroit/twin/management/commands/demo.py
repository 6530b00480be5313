"""`justedroit demo`: everything `make demo` prepares before serving, in five steps, saying where it
is ("étape 4/5 : mois 7/24, paiements…") with the time left, and at the end what it reused and
the figures of the twin it serves."""

import sys
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from justedroit.core.batch import BatchCommand
from justedroit.core.clock import parse_month
from justedroit.twin import selectors
from justedroit.twin.build import twin_build
from justedroit.twin.simulate import twin_simulate
from justedroit.twin.simulate.months import months_run

STEPS = 5


def _n(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


def _scale(scale: float) -> str:
    return f"{scale:g}".replace(".", ",")


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    return f"{seconds // 60} min {seconds % 60:02d} s"


class Command(BatchCommand):
    help = (
        "Prépare la démonstration (base, jumeau, mois simulés, comptes) en disant où elle en est ; "
        "un second lancement réutilise tout ce qui existe."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=0.05)
        parser.add_argument("--seed", type=int, default=86)
        parser.add_argument("--from", dest="first", default="2021-01", help="AAAA-MM")
        parser.add_argument("--to", dest="last", default="2022-12", help="AAAA-MM")

    def say(self, step: int, text: str) -> None:
        self.stderr.write(f"étape {step}/{STEPS} : {text}")
        sys.stderr.flush()

    def handle(self, *args, scale, seed, first, last, **options):
        if not settings.DEBUG:
            raise CommandError("La démonstration ne se prépare qu'avec DEBUG activé.")
        try:
            first_month, last_month = parse_month(first), parse_month(last)
        except ValueError as error:
            raise CommandError(str(error)) from None
        started = time.perf_counter()
        done: list[str] = []  # what this run had to do (empty: everything reused)

        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        self.say(1, f"base de données, {len(pending)} migration(s) à appliquer")
        if pending:
            call_command("migrate", interactive=False, verbosity=0)
            done.append(f"{len(pending)} migrations")

        reused_build = selectors.build_matches(seed=seed, scale=scale)
        self.say(
            2, f"jumeau à l'échelle {_scale(scale)}" + (" : réutilisé" if reused_build else "")
        )
        try:
            build = twin_build(
                seed=seed,
                scale=scale,
                progress=lambda stage, rows: self.say(
                    2, f"jumeau, {stage}" + (f" ({_n(rows)} lignes)" if rows else "")
                ),
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if not reused_build:
            done.append(f"jumeau construit en {build.seconds} s")

        self.say(3, "activité des domaines (accueil, canaux, accès aux droits, qualité)")
        runs_before = selectors.simulation_runs()
        twin_simulate(
            first_month=first_month,
            last_month=last_month,
            cycle=False,
            progress=lambda name, note: self.say(3, f"{name} : {note}"),
        )
        months = selectors.month_count(first_month, last_month)
        progress = MonthProgress(self, first_month, months)
        months_run(first_month=first_month, last_month=last_month, progress=progress)
        if selectors.simulation_runs() != runs_before or progress.worked:
            done.append(f"{progress.worked} étape(s) de cycle mensuel")

        opening = selectors.reception_opening(first_month, last_month)
        instant_file = settings.VAR_DIR / "demo-instant"
        instant_file.unlink(missing_ok=True)
        if opening is not None:
            # `make demo` starts the server's clock there: people are waiting at the main site.
            instant_file.write_text(f"{opening:%Y-%m-%dT%H:%M}\n")
            self.stdout.write(
                f"L'accueil s'ouvre le {opening:%d/%m/%Y à %H:%M}, le moment de la matinée où le "
                "jumeau fait attendre le plus de visiteurs au site principal."
            )

        self.say(5, "comptes de démonstration")
        call_command("demo_accounts", stdout=self.stdout)

        figures = selectors.demo_figures()
        scale_factor = float(build.scale)
        self.stdout.write(
            f"Jumeau à l'échelle {_scale(scale_factor)} : "
            f"{_n(figures.households_ever)} foyers en tout (y compris ceux qui ne sont plus "
            "allocataires), dont "
            f"{_n(figures.households_end)} allocataires au 31/12/2022 (Caf de la Vienne : 94 757, "
            f"soit {_n(round(94757 * scale_factor))} à cette échelle). Le README donne les deux "
            "chiffres du jumeau complet : 111 624 foyers en tout, 94 757 allocataires au "
            "31/12/2022."
        )
        elapsed = _duration(time.perf_counter() - started)
        if done:
            self.stdout.write(f"Démonstration prête en {elapsed} : " + ", ".join(done) + ".")
        else:
            self.stdout.write(
                f"Démonstration prête en {elapsed} : tout est réutilisé (base à jour, jumeau "
                "construit, mois déjà simulés)."
            )


class MonthProgress:
    """Progress of the monthly runs: the month's rank, the current stage, the time left estimated
    from the months already run in this process (months found done take no time)."""

    def __init__(self, command: Command, first_month, months: int):
        self.command, self.first_month, self.months = command, first_month, months
        self.started = time.perf_counter()
        self.rank = 0
        self.month = ""
        self.worked = 0  # cycle steps actually run (not "déjà fait")

    def __call__(self, name: str, note: str) -> None:
        month = note[:7]
        # Months run in order; a note about an earlier month (a recomputation) keeps the rank.
        if month > self.month and month[:4].isdigit():
            self.month, self.rank = month, self.rank + 1
        if name == "cycle" and "déjà fait" not in note and "terminé" in note:
            self.worked += 1
        left = ""
        if self.rank > 1 and self.worked:
            per_month = (time.perf_counter() - self.started) / (self.rank - 1)
            left = f", reste environ {_duration(per_month * (self.months - self.rank + 1))}"
        stage = note[8:] if month == self.month else note
        self.command.say(4, f"mois {self.rank}/{self.months} ({self.month}) {name} : {stage}{left}")
