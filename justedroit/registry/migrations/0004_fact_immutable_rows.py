from django.db import migrations

from justedroit.core.db import VendorSQL, immutable_rows


class Migration(migrations.Migration):
    """Facts refuse UPDATE and DELETE at the database level through the shared immutable-table
    triggers (`core.db.immutable_rows`), which replace the UPDATE-only trigger of 0002."""

    dependencies = [("registry", "0003_contact_point")]

    operations = [
        VendorSQL(
            postgresql=[
                "DROP TRIGGER fact_immutable ON registry_fact",
                "DROP FUNCTION registry_fact_immutable()",
            ],
            reverse_postgresql=[
                "CREATE FUNCTION registry_fact_immutable() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'registry_fact rows are immutable'; END $$",
                "CREATE TRIGGER fact_immutable BEFORE UPDATE ON registry_fact "
                "FOR EACH ROW EXECUTE FUNCTION registry_fact_immutable()",
            ],
            sqlite=["DROP TRIGGER fact_immutable"],
            reverse_sqlite=[
                "CREATE TRIGGER fact_immutable BEFORE UPDATE ON registry_fact "
                "BEGIN SELECT RAISE(ABORT, 'registry_fact rows are immutable'); END"
            ],
        ),
        immutable_rows("registry_fact"),
    ]
