"""Batch commands: dry unless `--wet-run`, and always run by a named operator.

A dry run does all the work and checks inside a transaction that is then rolled back, so it writes
nothing and sends nothing (on_commit). Every audit row a command writes names its operator: the
agent account given with `--operator`, or else the operating-system user who ran it.
"""

import argparse
import contextlib
import getpass
from collections.abc import Iterator

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from justedroit.core import audit
from justedroit.core.models import User

OPERATOR_HELP = "identifiant de l'agent qui lance le traitement (défaut : l'utilisateur système)"
DRY_RUN_NOTE = "Vérification réussie, rien n'est écrit (--wet-run pour écrire) : "


def add_wet_run_argument(parser) -> None:
    parser.add_argument(
        "--wet-run", action="store_true", help="écrit vraiment (sinon simple vérification)"
    )


@contextlib.contextmanager
def rolled_back_unless(wet: bool) -> Iterator[None]:
    with transaction.atomic():
        yield
        if not wet:
            transaction.set_rollback(True)


def operator_account(username: str) -> User:
    """The active agent account named by `--operator`; a French error otherwise."""
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None or not user.is_agent:
        raise CommandError(f"Opérateur inconnu « {username} » : identifiant d'agent actif attendu.")
    return user


class BatchCommand(BaseCommand):
    """A management command whose writes are attributed: `self.operator` is the agent account
    given with `--operator` (pass it as `acting_user`), and every audit row written while the
    command runs records the operator's name, the OS user's when no account is given."""

    operator: User | None = None

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.add_argument("--operator", default="", help=OPERATOR_HELP)
        # Accepted after a sub-command too; SUPPRESS keeps a value given before it.
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    sub.add_argument("--operator", default=argparse.SUPPRESS, help=OPERATOR_HELP)
        return parser

    def execute(self, *args, **options):
        username = options.get("operator") or ""
        self.operator = operator_account(username) if username else None
        name = username or f"système:{getpass.getuser()}"
        with audit.operated_by(name):
            return super().execute(*args, **options)
