"""The small twin, built once per test run and copied back for each later test module.

Building it runs the rights engine over every household (tens of seconds on a loaded machine);
a dozen modules use it. The first module of the run builds it through the real command and keeps
the rows it added (shared with the other xdist workers, `tests/between_workers.py`); each later
module inserts those rows again, as they were, in its own transaction.
"""

import json
from collections.abc import Callable

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection
from psycopg.types.json import Jsonb

from tests import between_workers

Rows = dict[str, tuple[list[str], set[tuple]]]

_added: Rows | None = None


def restore_or_build(build: Callable[[], None]) -> None:
    global _added
    if _added is None:
        _added, built_here = between_workers.once("small-twin", lambda: _built(build))
        if built_here:
            return
    _insert(_added)


def _built(build: Callable[[], None]) -> Rows:
    before = _all_rows()
    build()
    return _rows_added(before, _all_rows())


def _all_rows() -> Rows:
    rows = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.django_table_names(include_views=False):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            columns = [column[0] for column in cursor.description]
            rows[table] = (columns, {tuple(map(_hashable, row)) for row in cursor.fetchall()})
    return rows


def _rows_added(before: Rows, after: Rows) -> Rows:
    """Only insertions can be replayed: a build that changed or deleted a row is refused here."""
    added = {}
    for table, (columns, rows) in after.items():
        gone = before[table][1] - rows
        assert not gone, f"the twin build changed rows of {table}: it cannot be copied back"
        if rows - before[table][1]:
            added[table] = (columns, rows - before[table][1])
    return added


def _insert(added: Rows) -> None:
    with connection.cursor() as cursor:
        for table, (columns, rows) in added.items():
            names = ", ".join(connection.ops.quote_name(column) for column in columns)
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {connection.ops.quote_name(table)} ({names}) VALUES ({marks})",
                [tuple(map(_adapted, row)) for row in rows],
            )
        models = [
            model
            for model in apps.get_models(include_auto_created=True)
            if model._meta.db_table in added and model._meta.pk.get_internal_type() != "UUIDField"
        ]
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


class _Json(str):
    """A JSON value read back from PostgreSQL, kept hashable and written back as JSON."""


def _hashable(value):
    if isinstance(value, dict | list):
        return _Json(json.dumps(value))
    return value


def _adapted(value):
    if isinstance(value, _Json):
        return Jsonb(json.loads(value))
    return value
