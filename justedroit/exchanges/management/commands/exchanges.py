from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from justedroit.core import clock
from justedroit.core.batch import BatchCommand, add_wet_run_argument, rolled_back_unless
from justedroit.core.imports import FileRefused
from justedroit.core.models import ImportStatus
from justedroit.exchanges import selectors
from justedroit.exchanges.connectors import FORMATS
from justedroit.exchanges.services import exchange_import


class Command(BatchCommand):
    help = "Échanges de données avec les partenaires : import d'un fichier, journal des fichiers."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("import", help="Importe le fichier d'un partenaire pour un mois.")
        load.add_argument("--connector", required=True, choices=sorted(FORMATS))
        load.add_argument("--month", required=True, help="AAAA-MM")
        load.add_argument("file", type=Path)
        add_wet_run_argument(load)
        files = sub.add_parser("files", help="Journal des fichiers reçus.")
        files.add_argument("--limit", type=int, default=50)

    def handle(self, *args, action, **options):
        try:
            if action == "import":
                self._import(**options)
            else:
                self._files(**options)
        except (ValueError, ValidationError) as error:
            messages = error.messages if isinstance(error, ValidationError) else [str(error)]
            raise CommandError(" ".join(messages)) from None

    def _import(self, *, connector, month, file, wet_run, **_):
        if not file.is_file():
            raise ValueError(f"Fichier introuvable : {file}.")
        refused = None
        with rolled_back_unless(wet_run):  # a refused file stays journaled when wet
            try:
                exchange_file, report = exchange_import(
                    connector=connector,
                    month=clock.parse_month(month),
                    path=file,
                    acting_user=self.operator,
                )
            except FileRefused as error:
                refused = error
        if refused is not None:
            raise CommandError(f"Fichier refusé : {refused.reason}")
        if exchange_file.journal.status == ImportStatus.DUPLICATE:
            self.stdout.write(
                f"Fichier déjà importé (journal n° {exchange_file.journal.duplicate_of_id}) : "
                "rien n'est refait."
            )
            return
        prefix = "" if wet_run else "(vérification, rien n'est écrit) "
        self.stdout.write(
            f"{prefix}{report.read} ligne(s) lue(s) : {report.created} retenue(s), "
            f"{report.already_there} déjà présente(s), {len(report.refused)} refusée(s) ; "
            f"{exchange_file.facts_created} fait(s) enregistré(s)."
        )
        for error in report.refused[:50]:
            self.stderr.write(f"  {error}")

    def _files(self, *, limit, **_):
        for f in selectors.exchange_files(limit):
            j = f.journal
            line = (
                f"{j.started_at.astimezone(clock.PARIS):%d/%m/%Y %H:%M}  {f.connector:<15} "
                f"{f.month:%Y-%m}  {j.get_status_display():<10} lues {j.rows_read}, retenues "
                f"{j.rows_created}, déjà présentes {j.rows_already_there}, refusées "
                f"{j.rows_refused}, faits {f.facts_created}  {j.source_name}"
            )
            if j.refusal:
                line += f"  — {j.refusal}"
            self.stdout.write(line)
