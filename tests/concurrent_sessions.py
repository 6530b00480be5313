"""Marks of a test that runs real concurrent database sessions (threads with their own
connections): PostgreSQL only, each test in a real transaction flushed after it."""

import pytest
from django.db import connection

MARKS = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Concurrent sessions need PostgreSQL (SQLite serialises writers); "
        "runs in the CI PostgreSQL pass.",
    ),
]
