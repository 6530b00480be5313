"""Database helpers shared by the domains: vendor-specific DDL in migrations, fast bulk inserts."""

from collections.abc import Iterable, Sequence

from django.db import connection, migrations


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
