from django.db import migrations

from justedroit.core.db import VendorSQL

from ._overlap import ACTIVE
from ._overlap import sqlite_overlap as _sqlite_overlap


def load_reference_data(apps, schema_editor):
    """The Caf de la Vienne's places, opening hours, accessibility resources and motifs
    (seed: « L'accueil physique »). See reception/reference.py."""
    from justedroit.reception.reference import load

    load(apps, using=schema_editor.connection.alias)


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
