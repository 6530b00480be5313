"""Channel imports for operators. Dry unless --wet-run: without it, everything is checked and
rolled back, and the command says what it would write."""

import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from tqdm import tqdm

from justedroit.channels.services.calls import calls_import, parse_calls_csv
from justedroit.channels.services.common import ImportReport
from justedroit.channels.services.mailbox import emails_fetch_imap, emails_import_dir
from justedroit.core.batch import (
    DRY_RUN_NOTE,
    BatchCommand,
    add_wet_run_argument,
    rolled_back_unless,
)


class Command(BatchCommand):
    help = "Canaux : importer les appels (CSV), les courriels (.eml, IMAP)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        calls = sub.add_parser("import-calls", help="Importe l'export CSV de la plateforme.")
        calls.add_argument("file", help="fichier CSV (séparateur « ; », UTF-8)")
        emails = sub.add_parser("import-emails", help="Importe les fichiers .eml d'un dossier.")
        emails.add_argument("directory")
        imap = sub.add_parser("fetch-imap", help="Relève la boîte IMAP configurée.")
        for command in (calls, emails, imap):
            add_wet_run_argument(command)

    def handle(self, *args, action, wet_run, **options):
        report = ImportReport()
        try:
            with rolled_back_unless(wet_run):
                if action == "import-calls":
                    report = self._calls(Path(options["file"]), report)
                elif action == "import-emails":
                    report = self._emails(Path(options["directory"]))
                else:
                    if not wet_run:
                        raise CommandError("La relève IMAP n'a pas de mode à blanc : --wet-run.")
                    report = emails_fetch_imap(acting_user=self.operator)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self._print(report, "" if wet_run else DRY_RUN_NOTE)

    def _print(self, report: ImportReport, prefix: str):
        for line in report.errors + report.warnings:
            self.stderr.write(line)
        self.stdout.write(prefix + report.summary())

    def _calls(self, path: Path, report: ImportReport) -> ImportReport:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Fichier illisible {path} : {error}") from None
        rows = parse_calls_csv(text, report)
        with tqdm(total=len(rows), desc="Appels", unit="ligne", file=sys.stderr) as bar:

            def progress(done):
                bar.update(done - bar.n)

            return calls_import(
                rows=rows, report=report, acting_user=self.operator, progress=progress
            )

    def _emails(self, directory: Path) -> ImportReport:
        total = len(list(directory.glob("*.eml"))) if directory.is_dir() else 0
        with tqdm(total=total, desc="Courriels", unit="fichier", file=sys.stderr) as bar:

            def progress(done):
                bar.update(done - bar.n)

            return emails_import_dir(
                directory=directory, acting_user=self.operator, progress=progress
            )
