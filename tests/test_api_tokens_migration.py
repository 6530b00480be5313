"""The migration that moved API tokens from reception to core keeps them working.

Alone in its module: a transactional test empties the database when it ends, so pytest-django
runs such modules after the others."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from justedroit.core import services
from justedroit.core.models import ApiToken


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_moves_reception_tokens_to_core_and_they_keep_working():
    before = [("reception", "0002_no_double_booking_and_sites"), ("core", "0003_audit_operator")]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    user = old.get_model("core", "User").objects.create(username="efs", role="partner_efs")
    created = dt.datetime(2022, 6, 1, 9, 0, tzinfo=dt.UTC)
    old.get_model("reception", "ApiToken").objects.create(
        user=user,
        key_hash=services.token_hash("un-jeton-de-2022"),
        prefix="un-jeton",
        created_at=created,
    )
    executor = MigrationExecutor(connection)
    executor.migrate(latest)
    moved = ApiToken.objects.get()
    assert (moved.user_id, moved.prefix, moved.created_at) == (user.pk, "un-jeton", created)
    assert moved.expires_at == created + dt.timedelta(days=365)
    assert services.api_token_use(secret="un-jeton-de-2022") == moved
