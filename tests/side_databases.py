"""Databases beside the test database, for tests that need one of their own (a migration replayed
from an empty schema, commands run in another process)."""

import contextlib
from collections.abc import Iterator

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper


def postgresql_server():
    """A connection to the suite's PostgreSQL server, outside any database, for CREATE/DROP."""
    import psycopg

    params = connection.settings_dict
    return psycopg.connect(
        host=params["HOST"] or "localhost",
        port=params["PORT"] or 5432,
        user=params["USER"],
        password=params["PASSWORD"],
        dbname="postgres",
        autocommit=True,
    )


@contextlib.contextmanager
def empty_database(suffix: str) -> Iterator[BaseDatabaseWrapper]:
    """A connection of the suite's vendor to a new, empty database, dropped afterwards: an
    in-memory SQLite database, or a PostgreSQL database named after the test database (itself per
    xdist worker), so that two suites sharing a server never drop each other's."""
    name = ":memory:"
    if connection.vendor == "postgresql":
        name = f"{connection.settings_dict['NAME']}_{suffix}"
        with postgresql_server() as server:
            server.execute(f'DROP DATABASE IF EXISTS "{name}"')
            server.execute(f'CREATE DATABASE "{name}"')
    default = connections[DEFAULT_DB_ALIAS]
    side = type(default)({**default.settings_dict, "NAME": name}, alias=suffix)
    connections[suffix] = side  # migrations' RunPython find it by its alias
    try:
        yield side
    finally:
        side.close()
        del connections[suffix]
        if connection.vendor == "postgresql":
            with postgresql_server() as server:
                server.execute(f'DROP DATABASE IF EXISTS "{name}"')
