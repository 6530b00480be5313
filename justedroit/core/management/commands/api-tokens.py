"""`justedroit api-tokens create|list|revoke|purge-keys`: the partners' API tokens.

Dry unless --wet-run (`list` only reads). A created token is printed once, on a wet run only.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError

from justedroit.core import clock, selectors, services
from justedroit.core.batch import (
    DRY_RUN_NOTE,
    BatchCommand,
    add_wet_run_argument,
    rolled_back_unless,
)


class Command(BatchCommand):
    help = "Jetons d'API des partenaires : créer, lister, révoquer, purger les clés d'idempotence."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Crée un jeton pour un compte partenaire.")
        create.add_argument("--user", required=True, help="identifiant du compte partenaire")
        create.add_argument("--label", default="", help="usage du jeton (100 caractères au plus)")
        create.add_argument(
            "--days",
            type=int,
            default=services.TOKEN_DEFAULT_DAYS,
            help=f"validité en jours (1 à {services.TOKEN_MAX_DAYS})",
        )
        listing = sub.add_parser("list", help="Liste les jetons (sans leur secret).")
        listing.add_argument("--active", action="store_true", help="les jetons utilisables seuls")
        revoke = sub.add_parser("revoke", help="Révoque un jeton.")
        revoke.add_argument("prefix", help="les 8 premiers caractères du jeton")
        purge = sub.add_parser("purge-keys", help="Supprime les clés d'idempotence expirées.")
        for command in (create, revoke, purge):
            add_wet_run_argument(command)

    def handle(self, *args, action, **options):
        if action == "list":
            self._list(active_only=options["active"])
            return
        wet_run = options["wet_run"]
        try:
            with rolled_back_unless(wet_run):
                message = getattr(self, "_" + action.replace("-", "_"))(**options)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(message if wet_run else DRY_RUN_NOTE + message)

    def _create(self, *, user, label, days, wet_run, **_):
        account = selectors.user_by_username(user)
        if account is None:
            raise ValidationError(f"Compte inconnu : « {user} ».")
        issued = services.api_token_create(
            user=account, label=label, valid_days=days, acting_user=self.operator
        )
        expires = f"{issued.token.expires_at.astimezone(clock.PARIS):%d/%m/%Y %H:%M}"
        if not wet_run:
            return f"un jeton serait créé pour {account.username}, valable jusqu'au {expires}."
        return (
            f"Jeton créé pour {account.username}, valable jusqu'au {expires} "
            "(affiché une seule fois, transmettez-le par un canal sûr) :\n"
            f"{issued.secret}"
        )

    def _revoke(self, *, prefix, **_):
        token = selectors.api_token_by_prefix(prefix)
        if token is None:
            raise ValidationError(
                f"Aucun jeton, ou plusieurs, commencent par « {prefix} » : "
                "donnez les 8 premiers caractères affichés par « api-tokens list »."
            )
        services.api_token_revoke(token=token, acting_user=self.operator)
        return f"Jeton {token.prefix}… de {token.user.username} révoqué."

    def _purge_keys(self, **_):
        return f"{services.idempotency_keys_purge()} clé(s) d'idempotence expirée(s) supprimée(s)."

    def _list(self, *, active_only):
        tokens = selectors.api_tokens(include_inactive=not active_only)
        for token in tokens:
            last = (
                f"{token.last_used_at.astimezone(clock.PARIS):%d/%m/%Y %H:%M}"
                if token.last_used_at
                else "jamais"
            )
            self.stdout.write(
                f"{token.prefix}…\t{token.user.username}\t{token.label or '-'}\t"
                f"créé {token.created_at.astimezone(clock.PARIS):%d/%m/%Y}\t"
                f"expire {token.expires_at.astimezone(clock.PARIS):%d/%m/%Y}\t"
                f"utilisé {last}\t{token.state()}"
            )
        if not tokens:
            self.stdout.write("Aucun jeton.")
