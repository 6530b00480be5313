"""Work that every xdist worker would repeat, done once per run and copied by the others.

Migrating a test database renders the model state of about a hundred migrations (tens of seconds
of CPU per worker), and building the small twin runs the rights engine over every household. The
first worker to need either does it and leaves a copy in the run's temporary folder, under a
file lock; the other workers copy it. A run without xdist does everything itself, as before.
"""

import fcntl
import pickle
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar
from unittest import mock

from django.core import management
from django.db.backends.base.creation import BaseDatabaseCreation

T = TypeVar("T")
_folder: Path | None = None


def share_in(folder: Path | None) -> None:
    """Where the workers of this run leave their copies (None: nothing is shared)."""
    global _folder
    _folder = folder


@contextmanager
def _locked(name: str) -> Iterator[Path]:
    assert _folder is not None
    with open(_folder / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield _folder / name
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def once(name: str, compute: Callable[[], T]) -> tuple[T, bool]:
    """`compute()`, or the value the first worker of the run computed (pickled); and whether it
    was computed here."""
    if _folder is None:
        return compute(), True
    with _locked(f"{name}.pickle") as path:
        if path.exists():
            return pickle.loads(path.read_bytes()), False
        value = compute()
        path.write_bytes(pickle.dumps(value))
        return value, True


# --- Migrated test databases -------------------------------------------------------------------

_original_create_test_db = BaseDatabaseCreation.create_test_db


def _create_test_db(self: BaseDatabaseCreation, *args, **kwargs):
    if _folder is None:
        return _original_create_test_db(self, *args, **kwargs)
    migrate_once = _migrate_once_sqlite if self.connection.vendor == "sqlite" else _migrate_once_pg
    original_call = management.call_command

    def call_command(name, *call_args, **options):
        if name != "migrate":
            return original_call(name, *call_args, **options)
        return migrate_once(self.connection, lambda: original_call(name, *call_args, **options))

    # create_test_db imports call_command when it runs: patching the module's name is enough.
    with mock.patch.object(management, "call_command", call_command):
        return _original_create_test_db(self, *args, **kwargs)


def _migrate_once_sqlite(connection, migrate: Callable[[], None]) -> None:
    with _locked(f"migrated-{connection.alias}.sqlite3") as path:
        connection.ensure_connection()
        if path.exists():
            with sqlite3.connect(path) as source:
                source.backup(connection.connection)
            return
        migrate()
        with sqlite3.connect(path) as copy:
            connection.connection.backup(copy)


def _migrate_once_pg(connection, migrate: Callable[[], None]) -> None:
    """PostgreSQL copies a database given as TEMPLATE; nobody may be connected to the source."""
    own = connection.ops.quote_name(connection.settings_dict["NAME"])
    with _locked(f"migrated-{connection.alias}.pg") as marker:
        if marker.exists():
            template = connection.ops.quote_name(marker.read_text())
            connection.close()
            with connection._nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE {own}")
                cursor.execute(f"CREATE DATABASE {own} TEMPLATE {template}")
            return
        migrate()
        # The run's folder name (pytest-N) makes the template's name unique to this run.
        assert _folder is not None
        name = f"{connection.settings_dict['NAME'].rsplit('_gw', 1)[0]}_{_folder.name}_migrated"
        connection.close()
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)}")
            cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(name)} TEMPLATE {own}")
        marker.write_text(name)


def migrated_copy(connection) -> str | None:
    """The migrated copy of `connection`'s database that this run left (a SQLite file's path or
    a PostgreSQL template's name), for tests that need a migrated database of their own; None
    when nothing is shared or no worker has migrated yet."""
    if _folder is None:
        return None
    if connection.vendor == "sqlite":
        with _locked(f"migrated-{connection.alias}.sqlite3") as path:
            return str(path) if path.exists() else None
    with _locked(f"migrated-{connection.alias}.pg") as marker:
        return marker.read_text() if marker.exists() else None


def drop_pg_templates(connections) -> None:
    """The template databases this run left on the server (named in their marker files: by
    now the connections' settings name the databases the tests started from again)."""
    for connection in connections.all():
        if connection.vendor != "postgresql" or _folder is None:
            continue
        with _locked(f"migrated-{connection.alias}.pg") as marker:
            if marker.exists():
                with connection._nodb_cursor() as cursor:
                    cursor.execute(
                        "DROP DATABASE IF EXISTS " + connection.ops.quote_name(marker.read_text())
                    )
                marker.unlink()


BaseDatabaseCreation.create_test_db = _create_test_db  # type: ignore[method-assign]
