import json

from django.core.management.base import BaseCommand

from justedroit.reporting.selectors import indicator_rows


class Command(BaseCommand):
    help = "Affiche les indicateurs d'une année, avec l'année précédente et les chiffres publiés."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args, year, format, **options):
        rows = indicator_rows(year)
        if format == "json":
            self.stdout.write(
                json.dumps([row.as_json() for row in rows], ensure_ascii=False, indent=2)
            )
            return
        header = (
            f"{'code':<20} {'libellé':<46} {year:>10} {year - 1:>10} {'publié':>10} {'écart':>8}"
        )
        self.stdout.write(header)
        for row in rows:
            gap = f"{row.gap_to_published} %" if row.gap_to_published is not None else "—"
            self.stdout.write(
                f"{row.code:<20} {row.label[:46]:<46} {_fmt(row.value):>10} "
                f"{_fmt(row.previous):>10} {_fmt(row.published):>10} {gap:>8}"
            )


def _fmt(value) -> str:
    return "—" if value is None else str(value)
