import contextlib
import datetime as dt
import json
import signal
import sys
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from tqdm import tqdm

from justedroit.core import clock
from justedroit.core.batch import BatchCommand
from justedroit.entitlements import explain, selectors
from justedroit.entitlements.executors import SchedulerUnreachable
from justedroit.entitlements.models import RunStatus
from justedroit.entitlements.services import CHUNK, MonthBusy, month_run, months_between
from justedroit.registry import selectors as registry
from justedroit.registry import services as registry_services


class Command(BatchCommand):
    help = "Droits mensuels : calcul (et paiement avec --wet-run), explication."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser(
            "run", help="Calcule un mois (ou une suite de mois) pour tout le fichier."
        )
        run.add_argument("--month", help="AAAA-MM")
        run.add_argument("--from", dest="first", help="AAAA-MM")
        run.add_argument("--to", dest="last", help="AAAA-MM")
        run.add_argument("--as-of", help="instant ISO des faits connus (défaut : maintenant)")
        run.add_argument("--executor", choices=["local", "dask"], default="local")
        run.add_argument("--scheduler", help="tcp://HÔTE:PORT d'un ordonnanceur Dask")
        run.add_argument("--workers", type=int)
        run.add_argument(
            "--chunk", type=int, default=CHUNK, help=f"foyers par lot de calcul (défaut {CHUNK})"
        )
        run.add_argument(
            "--wet-run",
            action="store_true",
            help="enregistre les droits et les paiements (sinon calcul à blanc)",
        )
        runs = sub.add_parser("runs", help="Liste les derniers calculs et leur état.")
        runs.add_argument("--limit", type=int, default=20)
        explain_parser = sub.add_parser("explain", help="Explique les droits d'un foyer.")
        explain_parser.add_argument("--household", required=True)
        explain_parser.add_argument("--month", required=True)
        explain_parser.add_argument(
            "--format", choices=["text", "json", "openfisca-json"], default="text"
        )

    def handle(self, *args, action, **options):
        try:
            if action == "run":
                with _stopped_by_sigterm():
                    self._run(**options)
            elif action == "runs":
                self._runs(**options)
            else:
                self._explain(**options)
        except (ValueError, ValidationError, MonthBusy, SchedulerUnreachable) as error:
            messages = error.messages if isinstance(error, ValidationError) else [str(error)]
            raise CommandError(" ".join(messages)) from None
        except KeyboardInterrupt:
            raise CommandError(
                "Calcul interrompu : ce qui est payé le reste ; relancez la même commande pour "
                "reprendre."
            ) from None

    def _run(self, *, month, first, last, as_of, executor, scheduler, workers, chunk, wet_run, **_):
        if month:
            months = [clock.parse_month(month)]
        elif first and last:
            months = months_between(clock.parse_month(first), clock.parse_month(last))
        else:
            raise ValueError("Indiquez --month AAAA-MM, ou --from et --to.")
        instant = dt.datetime.fromisoformat(as_of) if as_of else None
        if instant is not None and instant.tzinfo is None:
            instant = instant.replace(tzinfo=clock.PARIS)
        failed = 0
        for current in months:
            bar = tqdm(desc=f"Droits {current:%Y-%m}", unit="foyer", file=sys.stderr)
            run = month_run(
                month=current,
                as_of=instant,
                wet=wet_run,
                executor_kind=executor,
                scheduler=scheduler,
                workers=workers,
                chunk=chunk,
                progress=bar.update,
            )
            bar.close()
            if run.reused:
                self.stdout.write(
                    f"{current:%Y-%m} : déjà payé le {run.finished_at:%d/%m/%Y}, rien n'est refait."
                )
                continue
            if run.skipped:
                self.stdout.write(
                    f"{current:%Y-%m} : reprise, {run.skipped} foyers déjà payés ce mois ne sont "
                    "pas recalculés."
                )
            paid = "payés" if wet_run else "calculés à blanc"
            self.stdout.write(
                f"{current:%Y-%m} : {run.computed} foyers {paid}, {len(run.errors)} en erreur, "
                f"{len(run.waiting)} en attente de pièces (logement non déclaré) ; "
                f"chargement {run.timings['load']} s, calcul {run.timings['compute']} s, "
                f"enregistrement {run.timings['store']} s"
            )
            for error in run.errors[:20]:
                self.stderr.write(f"  foyer {error['household']} : {error['message']}")
            failed += len(run.errors)
        if failed:
            raise CommandError(f"{failed} foyer(s) n'ont pas pu être calculés (faits manquants).")

    def _runs(self, *, limit, **_):
        for run in selectors.runs(limit):
            kind = "paiement" if run.wet else "à blanc"
            line = (
                f"{run.month:%Y-%m}  {kind:<8}  {run.get_status_display():<10}  "
                f"commencé le {run.started_at.astimezone(clock.PARIS):%d/%m/%Y %H:%M}  "
                f"{run.computed}/{run.households} foyers"
            )
            if run.status == RunStatus.INTERRUPTED:
                line += "  — relancez le mois pour reprendre"
            self.stdout.write(line)

    def _explain(self, *, household, month, format, **_):
        target = registry.household_by_number(household)
        if target is None:
            raise ValueError(f"Foyer inconnu : {household}.")
        # Shows personal data: audited like the explanation page, naming the operator.
        registry_services.household_consult(
            household=target, acting_user=self.operator, reason=f"explication des droits {month}"
        )
        explanation = explain.household_explanation(
            household=target, month=clock.parse_month(month), as_of=clock.now()
        )
        if format == "text":
            self.stdout.write(explain.as_text(explanation))
        elif format == "json":
            self.stdout.write(
                json.dumps(explain.as_json(explanation), ensure_ascii=False, indent=2)
            )
        else:
            self.stdout.write(
                json.dumps(explain.openfisca_json(explanation), ensure_ascii=False, indent=2)
            )


def _interrupt(signum, frame):
    raise KeyboardInterrupt


@contextlib.contextmanager
def _stopped_by_sigterm() -> Iterator[None]:
    """SIGTERM (a system stop, an operator's kill) ends a run as Ctrl-C does: the workers are
    stopped, the run is marked interrupted, what was paid stays paid."""
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
