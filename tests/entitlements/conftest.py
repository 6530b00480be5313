"""Shared by the tests that run real commands against a small twin in databases of their own."""

import os
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from tests import between_workers
from tests.side_databases import postgresql_server

MONTH = "2022-06"
RUN = ["entitlements", "run", "--month", MONTH, "--wet-run", "--workers", "2", "--chunk", "80"]
PAUSED_RUN = Path(__file__).with_name("paused_run.py")


class Database:
    """A database of the suite's vendor that commands run against in other processes."""

    def __init__(self, name: str, workdir: Path):
        self.name, self.workdir = name, workdir
        self.postgresql = connection.vendor == "postgresql"
        if self.postgresql:
            params = connection.settings_dict
            self.url = (
                f"postgres://{params['USER']}:{params['PASSWORD']}@{params['HOST'] or 'localhost'}"
                f":{params['PORT'] or 5432}/{name}"
            )
        else:
            self.url = f"sqlite:///{workdir / name}.sqlite3"

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "justedroit.settings_test",
            "DATABASE_URL": self.url,
            "JUSTEDROIT_VAR_DIR": str(self.workdir),
        }

    def command(self, *arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "justedroit.manage", *arguments],
            env=self.env,
            capture_output=True,
            text=True,
        )

    def paused_run(self) -> subprocess.Popen:
        """A payment run stopped after storing its first chunk (see paused_run.py)."""
        with self.stderr.open("w") as stderr:
            process = subprocess.Popen(
                [sys.executable, str(PAUSED_RUN), *RUN],
                env=self.env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
            )
        line = process.stdout.readline()
        assert line == "PAUSED\n", line + self.stderr.read_text()
        return process

    @property
    def stderr(self) -> Path:
        return self.workdir / f"{self.name}.stderr"

    def copy(self, name: str) -> "Database":
        copy = Database(name, self.workdir)
        if self.postgresql:
            with postgresql_server() as server:
                server.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.name}"')
        else:
            with sqlite3.connect(self.url.removeprefix("sqlite:///")) as source:
                source.backup(sqlite3.connect(copy.url.removeprefix("sqlite:///")))
        return copy

    def drop(self) -> None:
        if self.postgresql:
            with postgresql_server() as server:
                server.execute(f'DROP DATABASE IF EXISTS "{self.name}"')

    def rows(self, sql: str) -> list[tuple]:
        if self.postgresql:
            import psycopg

            with psycopg.connect(self.url) as reader:
                return reader.execute(sql).fetchall()
        with sqlite3.connect(self.url.removeprefix("sqlite:///")) as reader:
            return reader.execute(sql).fetchall()

    def payments(self) -> dict[tuple[str, str], Decimal]:
        rows = self.rows(
            "SELECT h.number, p.benefit, p.amount FROM entitlements_payment p "
            "JOIN registry_household h ON h.id = p.household_id"
        )
        return {(number, benefit): Decimal(str(amount)) for number, benefit, amount in rows}

    def runs(self) -> list[tuple[int, str]]:
        return self.rows("SELECT id, status FROM entitlements_run ORDER BY id")


def _migrated_sqlite_copy(path: str) -> bool:
    """Copies the suite's own SQLite test database, migrated and empty outside a test, to `path`
    (rendering the migrations again in another process costs tens of seconds of CPU). There is
    none when no test of the run asked for the database: pytest-django then creates none."""
    if not connection.is_in_memory_db() or connection.in_atomic_block:
        return False
    connection.ensure_connection()
    with sqlite3.connect(path) as copy:
        connection.connection.backup(copy)
        # Ids start after the rows kept, as in a database just migrated, whatever tests that
        # committed and were flushed before left in the counters.
        copy.execute("DELETE FROM sqlite_sequence")
    return True


@pytest.fixture(scope="module")
def twin_database(tmp_path_factory, django_db_setup, django_db_blocker):
    """A small twin (about 220 households), migrated and built by the real commands."""
    # On PostgreSQL, named after the test database (itself per xdist worker and per DATABASE_URL):
    # two suites sharing a server never drop each other's databases.
    name = "batches"
    if connection.vendor == "postgresql":
        name = f"{connection.settings_dict['NAME']}_batches"
    database = Database(name, tmp_path_factory.mktemp("batches"))
    databases = [database]
    migrated = between_workers.migrated_copy(connection)
    if database.postgresql:
        database.drop()
        template = f' TEMPLATE "{migrated}"' if migrated else ""
        with postgresql_server() as server:
            server.execute(f'CREATE DATABASE "{database.name}"{template}')
    elif migrated:
        with sqlite3.connect(migrated) as source:
            source.backup(sqlite3.connect(database.url.removeprefix("sqlite:///")))
    else:
        with django_db_blocker.unblock():
            migrated = _migrated_sqlite_copy(database.url.removeprefix("sqlite:///"))
    # Migrating renders a hundred migrations: under xdist a worker already did it for the run.
    commands = [] if migrated else [["migrate", "-v", "0"]]
    for arguments in (*commands, ["twin", "build", "--scale", "0.002", "--seed", "86"]):
        result = database.command(*arguments)
        assert result.returncode == 0, result.stderr
    database.copies = databases
    yield database
    for each in databases:
        each.drop()


def fresh(twin_database, name: str) -> Database:
    copy = twin_database.copy(f"{twin_database.name}_{name}")
    twin_database.copies.append(copy)
    return copy


@pytest.fixture(scope="module")
def uninterrupted_payments(twin_database) -> dict:
    database = fresh(twin_database, "reference")
    result = database.command(*RUN)
    assert result.returncode == 0, result.stderr
    payments = database.payments()
    assert len(payments) > 100
    return payments
