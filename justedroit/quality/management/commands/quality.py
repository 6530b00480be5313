import json

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from justedroit.core import clock
from justedroit.core.batch import (
    DRY_RUN_NOTE,
    BatchCommand,
    add_wet_run_argument,
    rolled_back_unless,
)
from justedroit.quality import selectors
from justedroit.quality.estimators import estimate_text as _pct
from justedroit.quality.models import Method, Stratum
from justedroit.quality.services import PlanInput, plan_draw


class Command(BatchCommand):
    help = "Qualité de la liquidation : tirage d'échantillons de vérification, estimations."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        draw = sub.add_parser("draw", help="Tire un échantillon de vérification des actes.")
        draw.add_argument("--from", dest="first", required=True, help="AAAA-MM (inclus)")
        draw.add_argument("--to", dest="last", required=True, help="AAAA-MM (inclus)")
        draw.add_argument("--method", choices=Method.values, default=Method.SIMPLE)
        draw.add_argument("--strata", choices=Stratum.values, default="")
        draw.add_argument("--size", type=int, default=None)
        draw.add_argument("--seed", type=int, default=None)
        add_wet_run_argument(draw)
        estimate = sub.add_parser("estimate", help="Estimations du dernier plan de l'année.")
        estimate.add_argument("--year", type=int, required=True)
        estimate.add_argument("--plan", type=int, default=None)
        estimate.add_argument("--format", choices=("text", "json"), default="text")

    def handle(self, *args, action, **options):
        try:
            if action == "draw":
                self._draw(options)
            else:
                self._estimate(options["year"], options["plan"], options["format"])
        except (ValueError, ValidationError) as error:
            messages = error.messages if isinstance(error, ValidationError) else [str(error)]
            raise CommandError(" ".join(messages)) from None

    def _draw(self, options):
        if self.operator is None:
            raise CommandError("Indiquez le vérificateur qui tire l'échantillon : --operator.")
        first = clock.parse_month(options["first"])
        end = clock.add_months(clock.parse_month(options["last"]), 1)
        with rolled_back_unless(options["wet_run"]):
            plan = plan_draw(
                plan=PlanInput(
                    name=f"Vérification {first:%m/%Y}–{end:%m/%Y}",
                    period_start=first,
                    period_end=end,
                    method=options["method"],
                    stratify_by=options["strata"],
                    size=options["size"],
                    seed=options["seed"],
                ),
                acting_user=self.operator,
            )
            summary = (
                f"Plan n° {plan.pk} : {plan.size} actes tirés sur {plan.population} "
                f"(graine {plan.seed})."
            )
        self.stdout.write(summary if options["wet_run"] else DRY_RUN_NOTE + summary)

    def _estimate(self, year: int, plan_id: int | None, output: str):
        plans = selectors.plans_of_year(year)
        plan = plans.filter(pk=plan_id).first() if plan_id else plans.first()
        if plan is None:
            raise CommandError(f"Aucun plan de vérification sur les actes de {year}.")
        results = selectors.plan_results(plan)
        if output == "json":
            self.stdout.write(json.dumps({"plan": plan.pk, **results.as_json()}, indent=2))
            return
        self.stdout.write(f"{plan} — {results.reviewed} actes vérifiés, {results.errors} en erreur")
        self.stdout.write(f"  part des actes en erreur (IC 95 %) : {_pct(results.share)}")
        self.stdout.write(f"  taux d'erreur en € (IC 95 %) : {_pct(results.amount_rate)}")
        for key, (share, rate) in results.by_stratum.items():
            self.stdout.write(f"  strate {key} : {_pct(share)} ; en € {_pct(rate)}")
        for by, label in (("benefit", "prestation"), ("team", "équipe"), ("agent", "agent")):
            for group, index in results.iql[by].items():
                self.stdout.write(f"  IQL par {label} — {group} : {_pct(index)}")
