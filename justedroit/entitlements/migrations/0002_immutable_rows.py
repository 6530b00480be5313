import django.db.models.deletion
from django.db import migrations, models

from justedroit.core.db import immutable_rows


class Migration(migrations.Migration):
    """Rights, payments, rappels and indus, and the links to the facts that caused them refuse
    UPDATE and DELETE at the database level. The links get a model of their own (the same table
    Django made for `Adjustment.causes`) so that the ORM refuses to change them too."""

    dependencies = [
        ("entitlements", "0001_initial"),
        ("registry", "0004_fact_immutable_rows"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AdjustmentCause",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "adjustment",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                to="entitlements.adjustment",
                            ),
                        ),
                        (
                            "fact",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT, to="registry.fact"
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "fait à l'origine d'un rappel ou indu",
                        "db_table": "entitlements_adjustment_causes",
                        "unique_together": {("adjustment", "fact")},
                    },
                ),
                migrations.AlterField(
                    model_name="adjustment",
                    name="causes",
                    field=models.ManyToManyField(
                        related_name="+",
                        through="entitlements.AdjustmentCause",
                        to="registry.fact",
                        verbose_name="faits à l'origine",
                    ),
                ),
            ],
            database_operations=[],
        ),
        immutable_rows(
            "entitlements_entitlement",
            "entitlements_payment",
            "entitlements_adjustment",
            "entitlements_adjustment_causes",
        ),
    ]
