from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from justedroit.core import clock
from justedroit.core.batch import (
    DRY_RUN_NOTE,
    BatchCommand,
    add_wet_run_argument,
    rolled_back_unless,
)
from justedroit.fraud.services import fraud_deadlines_apply, prevention_letters_send


class Command(BatchCommand):
    help = "Lutte contre la fraude : lettres de mise en garde, échéances de la procédure."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        letters = sub.add_parser(
            "prevention-letters", help="Lettres de mise en garde d'un mois (règle documentée)."
        )
        letters.add_argument("--month", required=True, help="AAAA-MM")
        add_wet_run_argument(letters)
        deadlines = sub.add_parser(
            "deadlines",
            help="Avis de commission réputés rendus, procédures caduques, pénalités impayées "
            "transmises au recouvrement (aussi l'étape fraud_deadlines du cycle mensuel).",
        )
        add_wet_run_argument(deadlines)

    def handle(self, *args, action, wet_run, **options):
        try:
            with rolled_back_unless(wet_run):
                if action == "prevention-letters":
                    counts = prevention_letters_send(
                        month=clock.parse_month(options["month"]), acting_user=self.operator
                    )
                    summary = (
                        f"{counts['letters']} lettre(s) de mise en garde "
                        f"({counts['email']} par courriel, {counts['post']} par courrier)."
                    )
                else:
                    counts = fraud_deadlines_apply(today=clock.today(), acting_user=self.operator)
                    summary = (
                        f"{counts['opinions_deemed']} avis réputé(s) rendu(s), "
                        f"{counts['lapsed']} procédure(s) caduque(s), "
                        f"{counts['penalties_to_recovery']} pénalité(s) impayée(s) transmise(s) "
                        "au recouvrement."
                    )
        except (ValueError, ValidationError) as error:
            messages = error.messages if isinstance(error, ValidationError) else [str(error)]
            raise CommandError(" ".join(messages)) from None
        self.stdout.write(summary if wet_run else DRY_RUN_NOTE + summary)
