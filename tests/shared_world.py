"""Rows made once for a group of tests (a module or a class) instead of once per test."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction


@contextmanager
def world_transaction(django_db_blocker) -> Iterator[None]:
    """A transaction around the group, rolled back after it: each test runs in a savepoint inside
    it (pytest-django's `db`), so what a test writes is gone for the next one, and what the group
    made is gone after it. Marked like a TestCase's transaction, so that services may open
    durable blocks inside."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer._from_testcase = True
        outer.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
