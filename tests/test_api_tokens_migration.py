"""The migration that moved API tokens from reception to core keeps them working.

Replayed on an empty database of its own: only the migrations it needs run (not the whole
project's, backwards and forwards), and the test database is left as it is."""

import datetime as dt

import pytest
from django.db.migrations.executor import MigrationExecutor

from justedroit.core import services
from tests.side_databases import empty_database

BEFORE = [("reception", "0002_no_double_booking_and_sites"), ("core", "0003_audit_operator")]
MOVED = [("reception", "0004_household_no_overlap_partner_tokens_moved")]


@pytest.mark.django_db
def test_the_migration_moves_reception_tokens_to_core_and_they_keep_working():
    with empty_database("tokens_migration") as database:
        executor = MigrationExecutor(database)
        executor.migrate(BEFORE)
        old = executor.loader.project_state(BEFORE).apps
        user = old.get_model("core", "User").objects.using(database.alias)
        token = old.get_model("reception", "ApiToken").objects.using(database.alias)
        efs = user.create(username="efs", role="partner_efs")
        created = dt.datetime(2022, 6, 1, 9, 0, tzinfo=dt.UTC)
        token.create(
            user=efs,
            key_hash=services.token_hash("un-jeton-de-2022"),
            prefix="un-jeton",
            created_at=created,
        )
        executor = MigrationExecutor(database)
        executor.migrate(MOVED)
        new = executor.loader.project_state(MOVED).apps
        moved = new.get_model("core", "ApiToken").objects.using(database.alias).get()
        assert (moved.user_id, moved.prefix, moved.created_at) == (efs.pk, "un-jeton", created)
        assert moved.expires_at == created + dt.timedelta(days=365)
        # What `services.api_token_use` looks a secret up by: its hash, not revoked, not expired.
        assert moved.key_hash == services.token_hash("un-jeton-de-2022")
        assert moved.revoked_at is None
        assert "reception_apitoken" not in database.introspection.table_names()
