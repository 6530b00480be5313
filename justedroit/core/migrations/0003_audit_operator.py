from django.db import migrations, models

from justedroit.core.db import VendorSQL


class Migration(migrations.Migration):
    """Batch commands name their operator. SQLite adds the column by rebuilding the table, which
    drops its triggers: the immutability trigger of 0002 is created again."""

    dependencies = [("core", "0002_audit_immutable")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="operator",
            field=models.CharField(
                blank=True,
                help_text="Traitement par lot : l'agent désigné (--operator) ou l'utilisateur système.",
                max_length=160,
                verbose_name="lancé par",
            ),
        ),
        VendorSQL(
            postgresql=[],
            sqlite=[
                "DROP TRIGGER IF EXISTS auditevent_immutable",
                "CREATE TRIGGER auditevent_immutable BEFORE UPDATE ON core_auditevent "
                "BEGIN SELECT RAISE(ABORT, 'core_auditevent rows are immutable'); END",
            ],
        ),
    ]
