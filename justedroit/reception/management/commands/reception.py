from justedroit.core.batch import BatchCommand
from justedroit.reception.notifications import reminders_send


class Command(BatchCommand):
    help = "Accueil et rendez-vous : envoi des rappels 48 h avant (à blanc sans --wet-run)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        reminders = sub.add_parser("reminders", help="Envoie les rappels des 48 prochaines heures.")
        reminders.add_argument("--wet-run", action="store_true")

    def handle(self, *args, action, wet_run=False, **options):
        count = reminders_send(wet_run=wet_run)
        verb = "envoyés" if wet_run else "à envoyer (à blanc, ajoutez --wet-run)"
        self.stdout.write(f"Rappels {verb} : {count} rendez-vous.")
