"""Channel imports for operators (docs/imports.md). Dry unless --wet-run: without it, everything
is checked inside a transaction that is rolled back, and the command says what it would write.

A wet run commits as it goes — each chunk of rows, each e-mail — so that an interrupted run keeps
what it finished and the next run resumes (rows already there are skipped). A file refused whole
exits with a non-zero status and its reason; rows refused are listed on stderr and journaled.
"""

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from tqdm import tqdm

from justedroit.channels import storage
from justedroit.channels.services.calls import calls_import
from justedroit.channels.services.mailbox import emails_fetch_imap, emails_import_dir
from justedroit.core.batch import (
    DRY_RUN_NOTE,
    BatchCommand,
    add_wet_run_argument,
    rolled_back_unless,
)
from justedroit.core.imports import FileRefused, ImportReport
from justedroit.core.models import ImportJournal, ImportStatus


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
        if action == "fetch-imap" and not wet_run:
            raise CommandError("La relève IMAP n'a pas de mode à blanc : --wet-run.")
        try:
            with self._dry_unless(wet_run):
                if action == "import-calls":
                    journal, report = self._calls(Path(options["file"]))
                elif action == "import-emails":
                    journal, report = self._emails(Path(options["directory"]))
                else:
                    journal, report = emails_fetch_imap(acting_user=self.operator)
        except FileRefused as refused:
            raise CommandError(f"Fichier refusé : {refused.reason}") from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self._print(journal, report, "" if wet_run else DRY_RUN_NOTE)

    @contextlib.contextmanager
    def _dry_unless(self, wet: bool) -> Iterator[None]:
        """A wet run commits as it goes; a dry one is rolled back, files it wrote included."""
        if wet:
            yield
            return
        directories = (storage.document_dir(), storage.quarantine_dir())
        before = {d: set(d.iterdir()) if d.is_dir() else set() for d in directories}
        try:
            with rolled_back_unless(False):
                yield
        finally:
            for directory, existing in before.items():
                for path in set(directory.iterdir()) - existing if directory.is_dir() else ():
                    if path.is_file():
                        path.unlink()

    def _print(self, journal: ImportJournal, report: ImportReport, prefix: str):
        if journal.status == ImportStatus.DUPLICATE:
            original = journal.duplicate_of
            self.stdout.write(
                f"{prefix}Contenu déjà importé le {original.started_at:%d/%m/%Y %H:%M} par "
                f"{original.operator or 'inconnu'} (journal n° {original.pk}) : rien à faire."
            )
            return
        for line in report.refused:
            self.stderr.write(str(line))
        for line in report.warnings:
            self.stderr.write(line)
        self.stdout.write(f"{prefix}{report.summary()} (journal n° {journal.pk})")

    def _calls(self, path: Path):
        if not path.is_file():
            raise FileRefused(f"fichier introuvable : {path}.")
        with tqdm(desc="Appels", unit="ligne", file=sys.stderr) as bar:
            return calls_import(
                path=path, acting_user=self.operator, progress=lambda n: bar.update(n - bar.n)
            )

    def _emails(self, directory: Path):
        total = len(list(directory.glob("*.eml"))) if directory.is_dir() else 0
        with tqdm(total=total, desc="Courriels", unit="fichier", file=sys.stderr) as bar:
            return emails_import_dir(
                directory=directory,
                acting_user=self.operator,
                progress=lambda n: bar.update(n - bar.n),
            )
