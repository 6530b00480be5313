"""Data protection commands: apply the retention table. Dry unless --wet-run: without it, the
command counts, per rule and per table, what it would erase, and erases nothing."""

from django.core.management.base import CommandError

from justedroit.core.batch import (
    DRY_RUN_NOTE,
    BatchCommand,
    add_wet_run_argument,
    rolled_back_unless,
)
from justedroit.data_protection import services
from justedroit.data_protection.retention import RULES, RULES_BY_KEY


class Command(BatchCommand):
    help = "Protection des données : effacer ce qui a dépassé sa durée de conservation."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        purge = sub.add_parser(
            "purge", help="Efface ce qui a dépassé sa durée de conservation (docs/conservation.md)."
        )
        purge.add_argument(
            "--rule",
            action="append",
            default=[],
            metavar="CLÉ",
            help=f"une règle seulement, répétable ({', '.join(RULES_BY_KEY)})",
        )
        add_wet_run_argument(purge)

    def handle(self, *args, action, wet_run, rule, **options):
        if unknown := [key for key in rule if key not in RULES_BY_KEY]:
            raise CommandError(f"Règle inconnue : {', '.join(unknown)}.")
        rules = [RULES_BY_KEY[key] for key in rule] if rule else list(RULES)
        with rolled_back_unless(wet_run):
            results = services.purge(rules=rules, acting_user=self.operator)
        verb = "effacée{s}" if wet_run else "à effacer"
        if not wet_run:
            self.stdout.write(DRY_RUN_NOTE + "voici ce qui serait effacé.")
        for erased in results:
            lines = erased.lines()
            title = f"{erased.rule.label} (avant le {erased.cutoff:%d/%m/%Y})"
            if not lines:
                self.stdout.write(f"{title} : rien {'effacé' if wet_run else 'à effacer'}.")
                continue
            self.stdout.write(f"{title} :")
            for table, count in lines:
                plural = "s" if count > 1 else ""
                self.stdout.write(f"  {table} : {count} ligne{plural} {verb.format(s=plural)}")
