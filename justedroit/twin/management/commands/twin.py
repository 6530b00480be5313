import datetime as dt
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from tqdm import tqdm

from justedroit.core.batch import BatchCommand
from justedroit.core.clock import parse_month
from justedroit.quality.estimators import estimate_text
from justedroit.quality.models import Method, Stratum
from justedroit.quality.selectors import plan_results
from justedroit.quality.services import PlanInput
from justedroit.twin import selectors
from justedroit.twin.build import twin_build
from justedroit.twin.simulate import twin_simulate
from justedroit.twin.simulate.quality.verification import true_rates, verify


class Command(BatchCommand):
    help = "Jumeau synthétique de la Caf de la Vienne : construction et calibration."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        build = sub.add_parser("build", help="Construit le jumeau (réutilise celui qui existe).")
        build.add_argument("--scale", type=float, default=1.0)
        build.add_argument("--seed", type=int, default=86)
        sub.add_parser("calibration", help="Compare les cibles de calibration au jumeau construit.")
        simulate = sub.add_parser("simulate", help="Simule l'activité du jumeau mois par mois.")
        simulate.add_argument("--from", dest="first", required=True, help="AAAA-MM")
        simulate.add_argument("--to", dest="last", required=True, help="AAAA-MM")
        simulate.add_argument(
            "--no-cycle",
            action="store_true",
            help="Seulement l'activité des domaines, sans les mois (déclarations, fichiers des "
            "partenaires, cycle de la Caf).",
        )

        verify = sub.add_parser(
            "verify",
            help="Le vérificateur du jumeau tire un échantillon des actes de l'année et les "
            "vérifie d'après la vérité du jumeau.",
        )
        verify.add_argument("--year", type=int, required=True)
        verify.add_argument("--method", choices=Method.values, default=Method.SIMPLE)
        verify.add_argument("--strata", choices=Stratum.values, default="")
        verify.add_argument("--size", type=int, default=None)
        verify.add_argument("--seed", type=int, default=86)

    def handle(self, *args, action, **options):
        if action == "verify":
            self._verify(options)
        elif action == "build":
            self._build(options["seed"], options["scale"])
        elif action == "simulate":
            self._simulate(options["first"], options["last"], cycle=not options["no_cycle"])
        else:
            self._calibration()

    def _verify(self, options):
        year = options["year"]
        try:
            plan = verify(
                plan=PlanInput(
                    name=f"Vérification du jumeau {year}",
                    period_start=dt.date(year, 1, 1),
                    period_end=dt.date(year + 1, 1, 1),
                    method=options["method"],
                    stratify_by=options["strata"],
                    size=options["size"],
                    seed=options["seed"],
                )
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            f"Plan n° {plan.pk} : {plan.size} actes tirés sur {plan.population} et vérifiés "
            f"(détail : justedroit quality estimate --year {year})."
        )
        # The estimate beside the truth: only the twin may read it (truth import contract).
        truth = true_rates(plan.period_start, plan.period_end)
        results = plan_results(plan)
        self.stdout.write(f"  part des actes en erreur (IC 95 %) : {estimate_text(results.share)}")
        self.stdout.write(
            f"  vraie valeur (jumeau, {truth['acts']} actes de {year}) : "
            f"{truth['share']:.2%}".replace(".", ",")
        )

    def _simulate(self, first: str, last: str, *, cycle: bool):
        try:
            runs = twin_simulate(
                first_month=parse_month(first),
                last_month=parse_month(last),
                progress=lambda name, note: (
                    self.stderr.write(f"{name} : {note}") or sys.stderr.flush()
                ),
                cycle=cycle,
            )
        except (ValueError, ValidationError) as error:
            messages = error.messages if isinstance(error, ValidationError) else [str(error)]
            raise CommandError(" ".join(messages)) from None
        for run in runs:
            volumes = ", ".join(f"{key} {value}" for key, value in run.counts.items())
            self.stdout.write(f"{run.simulator} ({run.seconds} s) : {volumes or 'rien'}")

    def _build(self, seed: int, scale: float):
        bar = tqdm(total=7, desc="Jumeau", unit="étape", file=sys.stderr)

        def progress(stage: str, rows: int):
            bar.set_postfix_str(f"{stage} : {rows:,}".replace(",", " "))
            bar.update(1)

        try:
            build = twin_build(seed=seed, scale=scale, progress=progress)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        finally:
            bar.close()
        self.stdout.write(
            f"Jumeau (graine {build.seed}, échelle {build.scale}) : {build.households} foyers, "
            f"{build.persons} personnes, {build.claims} demandes, {build.facts} faits, "
            f"construit en {build.seconds} s."
        )

    def _calibration(self):
        rows = selectors.calibration_report()
        if not rows:
            raise CommandError("Aucun jumeau construit : lancez « justedroit twin build ».")
        self.stdout.write(f"{'cible':<48} {'visée':>12} {'obtenue':>12}  source")
        for label, target, generated, source in rows:
            self.stdout.write(f"{label:<48} {target:>12} {generated:>12}  {source}")
