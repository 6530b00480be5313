from django.conf import settings
from django.core.management.base import CommandError

from justedroit.core.batch import BatchCommand
from justedroit.twin.accounts import demo_accounts_create


class Command(BatchCommand):
    help = "Crée (ou retrouve) un compte de démonstration par rôle et affiche les identifiants."

    def handle(self, *args, **options):
        # Their passwords are public (printed here and in the README): never on a real instance.
        if not settings.DEBUG:
            raise CommandError(
                "Les comptes de démonstration ont des mots de passe publics : cette commande ne "
                "s'exécute qu'avec DEBUG activé (instance de démonstration), jamais en production."
            )
        try:
            accounts = demo_accounts_create()
        except LookupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write("Comptes de démonstration (identifiant / mot de passe) :")
        for account in accounts:
            self.stdout.write(
                f"  {account.role_label:<42} {account.username:<22} {account.password}"
            )
