"""`justedroit report build --year 2022 --format html|pdf|json`: the annual report as a file.

A read-only export: it reads the indicators and writes only the file it is asked for, so it has no
dry-run mode (the batch commands' --wet-run convention is for commands that change data)."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from justedroit.reporting import document, renderers, selectors


class Command(BaseCommand):
    help = "Rapport d'activité d'une année : fichier HTML, PDF ou JSON (lecture seule)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        build = sub.add_parser(
            "build", help="Écrit le rapport d'une année dans un fichier et affiche son chemin."
        )
        build.add_argument("--year", type=int, required=True)
        build.add_argument("--format", choices=["html", "pdf", "json"], default="html")
        build.add_argument(
            "--output",
            type=Path,
            default=None,
            help="Fichier à écrire (par défaut : rapports/rapport-AAAA.<format> du dossier var).",
        )

    def handle(self, *args, action, year, format, output, **options):
        report = document.document(selectors.indicator_report(year))
        if format == "json":
            content: bytes = json.dumps(report.as_json(), ensure_ascii=False, indent=2).encode()
        elif format == "pdf":
            try:
                content = renderers.pdf(report)
            except ValueError as error:
                raise CommandError(str(error)) from None
        else:
            content = renderers.html(report).encode()
        path = output or Path(settings.VAR_DIR) / "rapports" / f"rapport-{year}.{format}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        self.stdout.write(str(path))
