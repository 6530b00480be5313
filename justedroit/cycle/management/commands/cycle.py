import contextlib
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from justedroit.core import clock
from justedroit.core.batch import BatchCommand, add_wet_run_argument, rolled_back_unless
from justedroit.cycle.services import STEPS, cycle_month_run
from justedroit.entitlements.services import MonthBusy, months_between


class Command(BatchCommand):
    help = "Cycle mensuel de la Caf : " + " → ".join(step.name for step in STEPS) + "."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="Fait tourner le cycle d'un mois ou d'une suite de mois.")
        run.add_argument("--month", help="AAAA-MM")
        run.add_argument("--from", dest="first", help="AAAA-MM")
        run.add_argument("--to", dest="last", help="AAAA-MM")
        run.add_argument(
            "--prevention-letters-per-year",
            type=int,
            help="Capacité annuelle de lettres de mise en garde (par défaut, le paramètre de la "
            "Caf ; docs/fraude.md).",
        )
        add_wet_run_argument(run)

    def handle(
        self, *args, action, month, first, last, wet_run, prevention_letters_per_year, **options
    ):
        if month:
            months = [clock.parse_month(month)]
        elif first and last:
            months = months_between(clock.parse_month(first), clock.parse_month(last))
        else:
            raise CommandError("Indiquez --month AAAA-MM, ou --from et --to.")
        if not wet_run:
            self.stdout.write(
                "Vérification : tout est calculé puis annulé (--wet-run pour écrire)."
            )
        try:
            for current in months:
                # Wet, each step commits its own work (resumable); dry, the month is undone.
                with contextlib.nullcontext() if wet_run else rolled_back_unless(False):
                    cycle_month_run(
                        month=current,
                        acting_user=self.operator,
                        progress=lambda message: self.stdout.write(message) or sys.stdout.flush(),
                        prevention_letters_per_year=prevention_letters_per_year,
                    )
        except (ValueError, ValidationError, MonthBusy) as error:
            messages = error.messages if isinstance(error, ValidationError) else [str(error)]
            raise CommandError(" ".join(messages)) from None
        except KeyboardInterrupt:
            raise CommandError(
                "Cycle interrompu : ce qui est fait le reste ; relancez la même commande pour "
                "reprendre à l'étape interrompue."
            ) from None
