"""The real worker (`justedroit db_worker`) sends what a committed booking queued, on SQLite and on
PostgreSQL; on PostgreSQL also as a second process, as in production."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from justedroit.reception import services
from justedroit.reception.models import Notification
from justedroit.reception.notifications import backends
from tests.reception.conftest import TUESDAY, at

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
LOCMEM_SMS = "justedroit.reception.notifications.backends.LocMemSmsBackend"
BATCH = ["--batch", "--no-reload", "--no-startup-delay", "--queue-name", "*"]


@pytest.fixture
def booked(tuesday_morning, in_person, poitiers, household):
    """A committed booking (no test transaction around it), with its SMS queued."""
    services.appointment_book(
        household=household,
        appointment_type=in_person,
        site=poitiers,
        starts_at=at(TUESDAY, 9, 30),
        booked_via="claimant",
        contact_phone="0612345678",
        acting_user=None,
    )
    sms = Notification.objects.get()
    assert sms.status == "queued"
    return sms


@pytest.fixture
def keep_signal_handlers():
    """The worker installs its own SIGINT/SIGTERM handlers; give pytest its own back."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


@override_settings(JUSTEDROIT_SMS_BACKEND=LOCMEM_SMS)
def test_the_db_worker_command_sends_what_was_queued(booked, keep_signal_handlers):
    backends.outbox.clear()
    call_command("db_worker", *BATCH, verbosity=0)
    booked.refresh_from_db()
    assert (booked.status, booked.attempts) == ("sent", 1)
    assert [m["to"] for m in backends.outbox] == ["+33612345678"]


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="A second process cannot open the in-memory SQLite test database; the test above "
    "runs the same command in-process on SQLite.",
)
def test_a_worker_in_another_process_sends_what_was_queued(booked):
    db = connection.settings_dict
    login = f"{db['USER']}:{db['PASSWORD']}" if db["PASSWORD"] else db["USER"]
    env = os.environ | {
        "DJANGO_SETTINGS_MODULE": "justedroit.settings_test",
        "DATABASE_URL": f"postgres://{login}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "JUSTEDROIT_SMS_BACKEND": "justedroit.reception.notifications.backends.ConsoleSmsBackend",
    }
    justedroit = Path(sys.executable).parent / "justedroit"
    done = subprocess.run(
        [str(justedroit), "db_worker", *BATCH],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "[SMS → +33612345678] Caf de la Vienne. Votre rendez-vous est confirmé" in done.stdout
    booked.refresh_from_db()
    assert (booked.status, booked.attempts) == ("sent", 1)
