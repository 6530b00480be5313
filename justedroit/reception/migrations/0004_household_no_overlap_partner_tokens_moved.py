import datetime as dt

import django.db.models.deletion
from django.db import migrations, models

from justedroit.core.db import VendorSQL

from ._overlap import ACTIVE, postgresql_exclusion, sqlite_overlap

# The triggers on reception_appointment: SQLite drops them all when AddConstraint below rebuilds
# the table, so every one of them (0002's and the new household one) is created again after it.
SQLITE_OVERLAP_TRIGGERS = [
    ("appt_agent_no_overlap", "agent_id"),
    ("appt_resource_no_overlap", "resource_id"),
    ("appt_household_no_overlap", "household_id"),
]
# Tokens issued before they had an expiry keep working for a year after their creation.
LEGACY_TOKEN_VALIDITY = dt.timedelta(days=365)


def copy_api_tokens_to_core(apps, schema_editor):
    """ApiToken moves from reception to core: same rows, same hashes (the partners' tokens keep
    working), with an expiry they did not have."""
    old = apps.get_model("reception", "ApiToken")
    new = apps.get_model("core", "ApiToken")
    new.objects.using(schema_editor.connection.alias).bulk_create(
        new(
            user_id=token.user_id,
            label="",
            key_hash=token.key_hash,
            prefix=token.prefix,
            created_at=token.created_at,
            expires_at=token.created_at + LEGACY_TOKEN_VALIDITY,
            revoked_at=token.revoked_at,
        )
        for token in old.objects.using(schema_editor.connection.alias).order_by("id")
    )


def copy_api_tokens_back(apps, schema_editor):
    old = apps.get_model("reception", "ApiToken")
    new = apps.get_model("core", "ApiToken")
    old.objects.using(schema_editor.connection.alias).bulk_create(
        old(
            user_id=token.user_id,
            key_hash=token.key_hash,
            prefix=token.prefix,
            created_at=token.created_at,
            revoked_at=token.revoked_at,
        )
        for token in new.objects.using(schema_editor.connection.alias).order_by("id")
    )


def refuse_existing_household_overlaps(apps, schema_editor):
    """The constraint cannot hold over data that already breaks it (a household booked twice at
    once before this migration): name those appointments so that an agent cancels one of each
    pair, rather than fail with a bare database error or cancel one arbitrarily."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.id, b.id FROM reception_appointment a JOIN reception_appointment b "
            "ON a.household_id = b.household_id AND a.id < b.id "
            f"AND a.status IN {ACTIVE} AND b.status IN {ACTIVE} "
            "AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at ORDER BY a.id LIMIT 50"
        )
        pairs = cursor.fetchall()
    if pairs:
        listed = ", ".join(f"{a} et {b}" for a, b in pairs)
        raise RuntimeError(
            "Des foyers ont deux rendez-vous actifs à la même heure (rendez-vous n° "
            f"{listed}) : annulez l'un de chaque paire, puis relancez la migration."
        )


def _create_sqlite_triggers(triggers) -> list[str]:
    statements = []
    for name, column in triggers:
        for on_update in (False, True):
            statements.append(f"DROP TRIGGER IF EXISTS {name}_{'upd' if on_update else 'ins'}")
            statements.append(sqlite_overlap(name, column, on_update))
    return statements


class Migration(migrations.Migration):
    """One active appointment per household at a time (PostgreSQL exclusion constraint, SQLite
    triggers); appointments booked by a partner name its organisation; API tokens move to core."""

    dependencies = [
        ("core", "0006_api_tokens_move_here"),
        ("outreach", "0001_partners_and_mandates"),
        ("reception", "0003_notification_delivery_attempts"),
    ]

    operations = [
        migrations.RunPython(copy_api_tokens_to_core, copy_api_tokens_back),
        migrations.DeleteModel(name="ApiToken"),
        # Going backwards, RemoveConstraint and RemoveField rebuild the SQLite table again: 0002's
        # triggers are then created anew by this operation's reverse.
        VendorSQL(
            postgresql=[],
            sqlite=[],
            reverse_sqlite=_create_sqlite_triggers(SQLITE_OVERLAP_TRIGGERS[:2]),
        ),
        migrations.AddField(
            model_name="appointment",
            name="partner",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="appointments",
                to="outreach.partner",
                verbose_name="partenaire (organisation)",
            ),
        ),
        migrations.AddConstraint(
            model_name="appointment",
            constraint=models.CheckConstraint(
                condition=models.Q(("partner__isnull", True), ("booked_via", "partner"), _connector="OR"),
                name="appt_partner_booked_via_partner",
            ),
        ),
        migrations.RunPython(refuse_existing_household_overlaps, migrations.RunPython.noop),
        VendorSQL(
            postgresql=[postgresql_exclusion("appt_household_no_overlap", "household_id")],
            reverse_postgresql=[
                "ALTER TABLE reception_appointment DROP CONSTRAINT appt_household_no_overlap"
            ],
            sqlite=_create_sqlite_triggers(SQLITE_OVERLAP_TRIGGERS),
            reverse_sqlite=[
                "DROP TRIGGER appt_household_no_overlap_ins",
                "DROP TRIGGER appt_household_no_overlap_upd",
            ],
        ),
    ]
