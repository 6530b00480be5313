from django.db import migrations, models

from justedroit.core.db import VendorSQL, immutable_rows

OLD_SQLITE_TRIGGER = (
    "CREATE TRIGGER auditevent_immutable BEFORE UPDATE ON core_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'core_auditevent rows are immutable'); END"
)
OLD_HOUSEHOLD_SQLITE_TRIGGER = (
    "CREATE TRIGGER auditeventhousehold_immutable BEFORE UPDATE ON core_auditeventhousehold "
    "BEGIN SELECT RAISE(ABORT, 'core_auditeventhousehold rows are immutable'); END"
)


class Migration(migrations.Migration):
    """The audit trail (events and the households they showed) refuses UPDATE and DELETE at the
    database level through the shared immutable-table triggers (`core.db.immutable_rows`), which
    replace the UPDATE-only triggers of 0002 and 0005; a legal erasure is recorded as such."""

    dependencies = [("core", "0007_import_journal")]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("view", "Consultation"),
                    ("search", "Recherche"),
                    ("create", "Création"),
                    ("update", "Modification"),
                    ("login", "Connexion"),
                    ("export", "Export"),
                    ("erase", "Effacement légal"),
                ],
                max_length=10,
                verbose_name="action",
            ),
        ),
        VendorSQL(
            postgresql=[
                "DROP TRIGGER auditevent_immutable ON core_auditevent",
                "DROP FUNCTION core_auditevent_immutable()",
            ],
            reverse_postgresql=[
                "CREATE FUNCTION core_auditevent_immutable() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'core_auditevent rows are immutable'; END $$",
                "CREATE TRIGGER auditevent_immutable BEFORE UPDATE ON core_auditevent "
                "FOR EACH ROW EXECUTE FUNCTION core_auditevent_immutable()",
            ],
            sqlite=["DROP TRIGGER auditevent_immutable"],
            reverse_sqlite=[OLD_SQLITE_TRIGGER],
        ),
        VendorSQL(
            postgresql=[
                "DROP TRIGGER auditeventhousehold_immutable ON core_auditeventhousehold",
                "DROP FUNCTION core_auditeventhousehold_immutable()",
            ],
            reverse_postgresql=[
                "CREATE FUNCTION core_auditeventhousehold_immutable() RETURNS trigger "
                "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION "
                "'core_auditeventhousehold rows are immutable'; END $$",
                "CREATE TRIGGER auditeventhousehold_immutable BEFORE UPDATE "
                "ON core_auditeventhousehold "
                "FOR EACH ROW EXECUTE FUNCTION core_auditeventhousehold_immutable()",
            ],
            sqlite=["DROP TRIGGER auditeventhousehold_immutable"],
            reverse_sqlite=[OLD_HOUSEHOLD_SQLITE_TRIGGER],
        ),
        immutable_rows("core_auditevent", "core_auditeventhousehold"),
    ]
