"""Batch commands are dry unless `--wet-run`: a dry run does all the work and checks, inside a
transaction that is then rolled back, so it writes nothing and sends nothing (on_commit)."""

import contextlib
from collections.abc import Iterator

from django.db import transaction

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
