from django.core.management.base import CommandError

from justedroit.core.batch import BatchCommand
from justedroit.twin.accounts import demo_accounts_create


class Command(BatchCommand):
    help = "Crée (ou retrouve) un compte de démonstration par rôle et affiche les identifiants."

    def handle(self, *args, **options):
        try:
            accounts = demo_accounts_create()
        except LookupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write("Comptes de démonstration (identifiant / mot de passe) :")
        for account in accounts:
            self.stdout.write(
                f"  {account.role_label:<42} {account.username:<22} {account.password}"
            )
