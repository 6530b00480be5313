"""Database helpers shared by the domains: vendor-specific DDL in migrations, immutable tables and
their one erasure path, fast bulk inserts."""

import contextlib
import dataclasses
import fcntl
import operator
import os
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from typing import TypeVar

from django.db import connection, migrations, models


class VendorSQL(migrations.RunSQL):
    """RunSQL with one statement list per database vendor (PostgreSQL and SQLite)."""

    def __init__(
        self,
        *,
        postgresql: Sequence[str],
        sqlite: Sequence[str],
        reverse_postgresql: Sequence[str] = (),
        reverse_sqlite: Sequence[str] = (),
    ):
        super().__init__(sql=[], reverse_sql=[])
        self.by_vendor = {
            "postgresql": (postgresql, reverse_postgresql),
            "sqlite": (sqlite, reverse_sqlite),
        }

    def deconstruct(self):
        name, _args, _kwargs = super().deconstruct()
        forward = {f"{v}": list(s[0]) for v, s in self.by_vendor.items()}
        reverse = {f"reverse_{v}": list(s[1]) for v, s in self.by_vendor.items()}
        return name, [], {**forward, **reverse}

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        for statement in self.by_vendor[schema_editor.connection.vendor][0]:
            schema_editor.execute(statement, params=None)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        for statement in self.by_vendor[schema_editor.connection.vendor][1]:
            schema_editor.execute(statement, params=None)

    @property
    def reversible(self):
        return True


# Immutable tables (ledger-like: facts, rights, payments, rappels and indus, the audit trail, and
# every such table to come). The database refuses UPDATE always, and DELETE except inside the
# legal erasure (`core.services.erasure_allowed`): on PostgreSQL a transaction-local setting read
# by the trigger function, on SQLite an application function registered on each connection
# (`register_sqlite_functions`); a raw sqlite3 connection without it fails closed ("no such
# function"). TRUNCATE (PostgreSQL) is not a row change and stays possible: Django's flush after
# a transactional test uses it; grant it to no runtime role. On SQLite that flush deletes row by
# row and is refused: a transactional test that writes such rows needs a database of its own
# (tests/entitlements/test_killed_runs.py).
IMMUTABLE_TRIGGER_SUFFIXES = ("no_update", "no_delete")
ERASURE_SETTING = "justedroit.erasure"
ERASURE_SQLITE_FUNCTION = "justedroit_erasure_allowed"
_PG_FUNCTION = (
    "CREATE OR REPLACE FUNCTION justedroit_immutable_row() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN IF TG_OP = 'DELETE' AND current_setting('{ERASURE_SETTING}', true) = 'on' "
    "THEN RETURN OLD; END IF; "
    "RAISE EXCEPTION '% rows are immutable', TG_TABLE_NAME "
    "USING ERRCODE = 'integrity_constraint_violation'; END $$"
)
_ERASURE: ContextVar[bool] = ContextVar("erasure_allowed", default=False)


def immutable_trigger_names(table: str) -> list[str]:
    return [f"{table}_{suffix}" for suffix in IMMUTABLE_TRIGGER_SUFFIXES]


def immutable_rows(*tables: str) -> VendorSQL:
    """The migration operation that makes `tables` immutable. Idempotent: run it again after an
    operation that makes SQLite rebuild one of the tables (which drops its triggers)."""
    postgresql, sqlite, reverse_postgresql, reverse_sqlite = [_PG_FUNCTION], [], [], []
    for table in tables:
        no_update, no_delete = immutable_trigger_names(table)
        refuse = f"BEGIN SELECT RAISE(ABORT, '{table} rows are immutable'); END"
        for name, event in ((no_update, "UPDATE"), (no_delete, "DELETE")):
            drop_pg = f"DROP TRIGGER IF EXISTS {name} ON {table}"
            postgresql += [
                drop_pg,
                f"CREATE TRIGGER {name} BEFORE {event} ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION justedroit_immutable_row()",
            ]
            reverse_postgresql.append(drop_pg)
            reverse_sqlite.append(f"DROP TRIGGER IF EXISTS {name}")
        sqlite += [
            f"DROP TRIGGER IF EXISTS {no_update}",
            f"CREATE TRIGGER {no_update} BEFORE UPDATE ON {table} {refuse}",
            f"DROP TRIGGER IF EXISTS {no_delete}",
            f"CREATE TRIGGER {no_delete} BEFORE DELETE ON {table} "
            f"WHEN NOT {ERASURE_SQLITE_FUNCTION}() {refuse}",
        ]
    return VendorSQL(
        postgresql=postgresql,
        sqlite=sqlite,
        reverse_postgresql=reverse_postgresql,
        reverse_sqlite=reverse_sqlite,
    )


def erasure_in_progress() -> bool:
    return _ERASURE.get()


@contextlib.contextmanager
def erasing() -> Iterator[None]:
    """Let DELETE through the immutable tables' triggers for the block. Only the audited legal
    erasure (`core.services.erasure_allowed`) opens it."""
    token = _ERASURE.set(True)
    try:
        _set_database_erasure(True)
        yield
    finally:
        _ERASURE.reset(token)
    # On failure the rollback of the enclosing transaction undoes the setting as well.
    _set_database_erasure(False)


def _set_database_erasure(allowed: bool) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config(%s, %s, true)", [ERASURE_SETTING, "on" if allowed else "off"]
            )


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: the function the SQLite DELETE triggers ask."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            ERASURE_SQLITE_FUNCTION, 0, lambda: int(_ERASURE.get())
        )


class LockHeld(Exception):
    """Another process holds the lock."""


_IN_PROCESS_LOCKS: set[str] = set()
_IN_PROCESS_GUARD = threading.Lock()


@contextlib.contextmanager
def process_lock(name: str) -> Iterator[None]:
    """An exclusive lock among the processes sharing the database, taken at once or LockHeld.
    It is released at the end of the block, and by the system when the holder dies (killed, even
    with SIGKILL), so a dead holder never blocks the next one: an advisory lock of the session
    on PostgreSQL, an flock on a file beside the SQLite database (in-process for an in-memory
    database, which no other process can open)."""
    if connection.vendor == "postgresql":
        lock = _advisory_lock(name)
    elif connection.is_in_memory_db():
        lock = _in_process_lock(name)
    else:
        slug = re.sub(r"\W", "-", name)
        lock = _file_lock(f"{connection.settings_dict['NAME']}.{slug}.lock")
    with lock:
        yield


@contextlib.contextmanager
def _advisory_lock(name: str) -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtextextended(%s, 0))", [name])
        if not cursor.fetchone()[0]:
            raise LockHeld(name)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(hashtextextended(%s, 0))", [name])


@contextlib.contextmanager
def _file_lock(path: str) -> Iterator[None]:
    """The holder removes the file as it finishes, still holding it, so that no lock file stays
    behind. A process that opened the file before and locks it once released finds it removed
    and starts again on a new file: it never holds the lock beside the one who created that new
    file."""
    while True:
        with open(path, "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise LockHeld(path) from None
            if not _is_file_at(handle, path):
                continue  # removed by the holder that just finished: lock the new one
            try:
                yield
            finally:
                with contextlib.suppress(FileNotFoundError):  # removed by hand meanwhile
                    os.unlink(path)
            return  # closing the file releases the lock


def _is_file_at(handle, path: str) -> bool:
    try:
        at = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(handle.fileno())
    return (at.st_dev, at.st_ino) == (held.st_dev, held.st_ino)


@contextlib.contextmanager
def _in_process_lock(name: str) -> Iterator[None]:
    with _IN_PROCESS_GUARD:
        if name in _IN_PROCESS_LOCKS:
            raise LockHeld(name)
        _IN_PROCESS_LOCKS.add(name)
    try:
        yield
    finally:
        _IN_PROCESS_LOCKS.discard(name)


def bulk_insert(model, fields: Sequence[str], rows: Iterable[Sequence], batch: int = 20_000) -> int:
    """Insert plain tuples with executemany: the twin's path for millions of rows.

    Callers give primary keys themselves and validate upstream; `reset_sequences` afterwards on
    PostgreSQL so that later ORM inserts get fresh keys.
    """
    columns = [model._meta.get_field(name).column for name in fields]
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    table = connection.ops.quote_name(model._meta.db_table)
    if connection.vendor == "postgresql":
        return _copy(f"COPY {table} ({quoted}) FROM STDIN", rows)
    sql = f"INSERT INTO {table} ({quoted}) VALUES ({', '.join(['%s'] * len(columns))})"
    count = 0
    chunk: list[Sequence] = []
    with connection.cursor() as cursor:
        for row in rows:
            chunk.append(row)
            if len(chunk) >= batch:
                cursor.executemany(sql, chunk)
                count += len(chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)
            count += len(chunk)
    return count


def bulk_insert_columns(model, columns: Mapping[str, Sequence]) -> int:
    """`bulk_insert` of rows given column by column, each named after its model field (values as
    the database stores them, like `bulk_insert`); every column has one value per row."""
    return bulk_insert(model, list(columns), zip(*columns.values(), strict=True))


def bulk_insert_records(model, records: Sequence) -> int:
    """`bulk_insert` of dataclass instances whose fields are named after the model's fields.
    Instants are stored as Django stores them (UTC text on SQLite), whatever their zone."""
    if not records:
        return 0
    names = [f.name for f in dataclasses.fields(records[0])]
    instants = [
        index
        for index, name in enumerate(names)
        if isinstance(model._meta.get_field(name), models.DateTimeField)
    ]
    adapt = connection.ops.adapt_datetimefield_value
    values = operator.attrgetter(*names)

    def row(record) -> list:
        out = list(values(record))
        for index in instants:
            out[index] = adapt(out[index])
        return out

    return bulk_insert(model, names, map(row, records))


def _copy(statement: str, rows: Iterable[Sequence]) -> int:
    """PostgreSQL's COPY: an order of magnitude faster than INSERTs for bulk loads."""
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def reset_sequences(*models) -> None:
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def as_pk(value) -> int | None:
    """A primary key sent by a form or a URL, or None: a lookup with anything else (text, a number
    past the 64-bit range) finds nothing instead of failing in the database driver."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    return pk if 0 < pk < 2**63 else None


M = TypeVar("M", bound=models.Model)


def by_pk(rows: "models.Manager[M] | models.QuerySet[M]", value, **lookups) -> M | None:
    """The row of `rows` with the primary key `value` sent by a form or a URL, or None."""
    pk = as_pk(value)
    return None if pk is None else rows.filter(pk=pk, **lookups).first()
