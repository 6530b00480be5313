import json
from pathlib import Path

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

from justedroit.core.db import VendorSQL

OVERLAP_SQLITE_CONDITION = """
EXISTS (SELECT 1 FROM registry_fact f
        WHERE f.household_id = NEW.household_id
          AND IFNULL(f.person_id, 0) = IFNULL(NEW.person_id, 0)
          AND f.kind = NEW.kind AND f.recorded_at = NEW.recorded_at
          AND (f.valid_until IS NULL OR f.valid_until > NEW.valid_from)
          AND (NEW.valid_until IS NULL OR NEW.valid_until > f.valid_from))
"""


def load_communes(apps, schema_editor):
    """The 265 communes of the Vienne (see registry/data/PROVENANCE.md)."""
    Commune = apps.get_model("registry", "Commune")
    path = Path(__file__).resolve().parent.parent / "data" / "communes-86.json"
    rows = json.loads(path.read_text(encoding="utf-8"))
    Commune.objects.using(schema_editor.connection.alias).bulk_create([Commune(**row) for row in rows])


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [
        BtreeGistExtension(),
        VendorSQL(
            postgresql=[
                "ALTER TABLE registry_fact ADD CONSTRAINT fact_periods_do_not_overlap "
                "EXCLUDE USING gist (household_id WITH =, (COALESCE(person_id, 0)) WITH =, "
                "kind WITH =, recorded_at WITH =, "
                "daterange(valid_from, valid_until, '[)') WITH &&)",
                "CREATE FUNCTION registry_fact_immutable() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'registry_fact rows are immutable'; END $$",
                "CREATE TRIGGER fact_immutable BEFORE UPDATE ON registry_fact "
                "FOR EACH ROW EXECUTE FUNCTION registry_fact_immutable()",
            ],
            reverse_postgresql=[
                "DROP TRIGGER fact_immutable ON registry_fact",
                "DROP FUNCTION registry_fact_immutable()",
                "ALTER TABLE registry_fact DROP CONSTRAINT fact_periods_do_not_overlap",
            ],
            sqlite=[
                "CREATE TRIGGER fact_periods_do_not_overlap BEFORE INSERT ON registry_fact "
                f"WHEN {OVERLAP_SQLITE_CONDITION} "
                "BEGIN SELECT RAISE(ABORT, 'fact_periods_do_not_overlap'); END",
                "CREATE TRIGGER fact_immutable BEFORE UPDATE ON registry_fact "
                "BEGIN SELECT RAISE(ABORT, 'registry_fact rows are immutable'); END",
            ],
            reverse_sqlite=[
                "DROP TRIGGER fact_periods_do_not_overlap",
                "DROP TRIGGER fact_immutable",
            ],
        ),
        migrations.RunPython(load_communes, migrations.RunPython.noop),
    ]
