from django.db import migrations

from justedroit.core.db import VendorSQL


class Migration(migrations.Migration):
    """The audit trail refuses UPDATE at the database level too (the ORM refuses delete)."""

    dependencies = [("core", "0001_initial")]

    operations = [
        VendorSQL(
            postgresql=[
                "CREATE FUNCTION core_auditevent_immutable() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'core_auditevent rows are immutable'; END $$",
                "CREATE TRIGGER auditevent_immutable BEFORE UPDATE ON core_auditevent "
                "FOR EACH ROW EXECUTE FUNCTION core_auditevent_immutable()",
            ],
            reverse_postgresql=[
                "DROP TRIGGER auditevent_immutable ON core_auditevent",
                "DROP FUNCTION core_auditevent_immutable()",
            ],
            sqlite=[
                "CREATE TRIGGER auditevent_immutable BEFORE UPDATE ON core_auditevent "
                "BEGIN SELECT RAISE(ABORT, 'core_auditevent rows are immutable'); END",
            ],
            reverse_sqlite=["DROP TRIGGER auditevent_immutable"],
        ),
    ]
