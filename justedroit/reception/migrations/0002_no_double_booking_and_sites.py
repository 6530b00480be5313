from django.db import migrations

from justedroit.core.db import VendorSQL

ACTIVE = "('booked', 'seen', 'no_show')"


def _sqlite_overlap(name: str, column: str, on_update: bool) -> str:
    event = f"UPDATE OF status, starts_at, ends_at, {column}" if on_update else "INSERT"
    same_row = "AND a.id <> NEW.id" if on_update else ""
    return (
        f"CREATE TRIGGER {name}_{'upd' if on_update else 'ins'} BEFORE {event} "
        "ON reception_appointment "
        f"WHEN NEW.status IN {ACTIVE} AND NEW.{column} IS NOT NULL AND EXISTS ("
        "SELECT 1 FROM reception_appointment a "
        f"WHERE a.{column} = NEW.{column} AND a.status IN {ACTIVE} {same_row} "
        "AND a.starts_at < NEW.ends_at AND NEW.starts_at < a.ends_at) "
        f"BEGIN SELECT RAISE(ABORT, '{name}'); END"
    )


def load_reference_data(apps, schema_editor):
    """The Caf de la Vienne's places, opening hours, accessibility resources and motifs
    (seed: « L'accueil physique »). See reception/reference.py."""
    from justedroit.reception.reference import load

    load(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("reception", "0001_initial"),
        ("registry", "0002_fact_overlap_and_communes"),
    ]

    operations = [
        VendorSQL(
            postgresql=[
                "ALTER TABLE reception_appointment ADD CONSTRAINT appt_agent_no_overlap "
                "EXCLUDE USING gist (agent_id WITH =, "
                "tstzrange(starts_at, ends_at, '[)') WITH &&) "
                f"WHERE (status IN {ACTIVE})",
                "ALTER TABLE reception_appointment ADD CONSTRAINT appt_resource_no_overlap "
                "EXCLUDE USING gist (resource_id WITH =, "
                "tstzrange(starts_at, ends_at, '[)') WITH &&) "
                f"WHERE (resource_id IS NOT NULL AND status IN {ACTIVE})",
            ],
            reverse_postgresql=[
                "ALTER TABLE reception_appointment DROP CONSTRAINT appt_resource_no_overlap",
                "ALTER TABLE reception_appointment DROP CONSTRAINT appt_agent_no_overlap",
            ],
            sqlite=[
                _sqlite_overlap("appt_agent_no_overlap", "agent_id", False),
                _sqlite_overlap("appt_agent_no_overlap", "agent_id", True),
                _sqlite_overlap("appt_resource_no_overlap", "resource_id", False),
                _sqlite_overlap("appt_resource_no_overlap", "resource_id", True),
            ],
            reverse_sqlite=[
                "DROP TRIGGER appt_agent_no_overlap_ins",
                "DROP TRIGGER appt_agent_no_overlap_upd",
                "DROP TRIGGER appt_resource_no_overlap_ins",
                "DROP TRIGGER appt_resource_no_overlap_upd",
            ],
        ),
        migrations.RunPython(load_reference_data, migrations.RunPython.noop),
    ]
