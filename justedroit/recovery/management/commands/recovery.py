"""`justedroit recovery prescribe [--wet-run]` and `justedroit recovery balance --year AAAA`.
User documentation: docs/recouvrement.md."""

import json

from django.core.management.base import CommandError

from justedroit.core import clock
from justedroit.core.batch import (
    DRY_RUN_NOTE,
    BatchCommand,
    add_wet_run_argument,
    rolled_back_unless,
)
from justedroit.core.money import format_euros
from justedroit.recovery import selectors, services
from justedroit.recovery.models import EntryKind
from justedroit.registry.models import Benefit


class Command(BatchCommand):
    help = "Recouvrement des indus : prescription des dettes, balance de l'agent comptable."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        prescribe = sub.add_parser(
            "prescribe", help="Solde par prescription les dettes prescrites (L553-1 CSS)."
        )
        add_wet_run_argument(prescribe)
        balance = sub.add_parser(
            "balance", help="Balance des dettes par prestation pour une année."
        )
        balance.add_argument("--year", type=int, required=True)
        balance.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, action, **options):
        if action == "prescribe":
            return self._prescribe(options["wet_run"])
        return self._balance(options["year"], options["format"])

    def _prescribe(self, wet: bool) -> None:
        with rolled_back_unless(wet):
            report = services.debts_prescribe(today=clock.today(), acting_user=self.operator)
        for line in report:
            self.stdout.write(
                f"foyer {line['foyer']} dette {line['dette']} ({line['prestation']}"
                f"{', fraude' if line['fraude'] else ''}) prescrite le {line['prescrite_le']} : "
                f"{line['montant']} €"
            )
        total = sum(float(line["montant"]) for line in report)
        summary = f"{len(report)} dette(s) prescrite(s), {total:.2f} € soldés."
        self.stdout.write(summary if wet else DRY_RUN_NOTE + summary)

    def _balance(self, year: int, output: str) -> None:
        rows = selectors.year_balance(year)
        checks = selectors.reconciliation(year)
        if output == "json":
            self.stdout.write(
                json.dumps(
                    {
                        "annee": year,
                        "prestations": [
                            {
                                "prestation": row.benefit,
                                "solde_ouverture": str(row.opening),
                                "mouvements": {k: str(v) for k, v in row.movements.items()},
                                "solde_cloture": str(row.closing),
                            }
                            for row in rows
                        ],
                        "rapprochement": {k: [str(a), str(b)] for k, (a, b) in checks.items()},
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
        else:
            self.stdout.write(f"Balance des dettes {year}")
            for row in rows:
                self.stdout.write(
                    f"{Benefit(row.benefit).label} : ouverture {format_euros(row.opening)}, "
                    + ", ".join(
                        f"{EntryKind(kind).label.lower()} {format_euros(amount)}"
                        for kind, amount in sorted(row.movements.items())
                    )
                    + f", clôture {format_euros(row.closing)}"
                )
            for name, (ledger, other) in checks.items():
                mark = "exact" if ledger == other else f"ÉCART {format_euros(ledger - other)}"
                self.stdout.write(
                    f"{name} : {format_euros(ledger)} / {format_euros(other)} — {mark}"
                )
        if any(ledger != other for ledger, other in checks.values()):
            raise CommandError("La balance ne se rapproche pas des paiements et des indus.")
        if output == "text":
            self.stdout.write("rapprochement : exact au centime")
