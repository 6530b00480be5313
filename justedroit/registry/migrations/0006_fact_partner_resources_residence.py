from importlib import import_module

from django.db import migrations, models

from justedroit.core.db import VendorSQL, immutable_rows

OVERLAP_SQLITE_CONDITION = import_module(
    "justedroit.registry.migrations.0002_fact_overlap_and_communes"
).OVERLAP_SQLITE_CONDITION

KINDS = [
    "salary",
    "self_employment",
    "unemployment_benefit",
    "pension",
    "other_income",
    "activity",
    "disability_rate",
    "pregnancy",
    "housing_status",
    "rent",
    "housing_commune",
    "fiscal_income_n2",
    "partner_resources",
    "residence",
]
OVERLAP_TRIGGER = (
    "CREATE TRIGGER fact_periods_do_not_overlap BEFORE INSERT ON registry_fact "
    f"WHEN {OVERLAP_SQLITE_CONDITION} "
    "BEGIN SELECT RAISE(ABORT, 'fact_periods_do_not_overlap'); END"
)
# Every trigger of registry_fact on SQLite (PostgreSQL never rebuilds the table).
SQLITE_TRIGGERS = [
    "DROP TRIGGER IF EXISTS fact_periods_do_not_overlap",
    OVERLAP_TRIGGER,
    *immutable_rows("registry_fact").by_vendor["sqlite"][0],
]


class Migration(migrations.Migration):
    """Two fact kinds a control establishes: an undeclared vie maritale (the partner's monthly
    resources) and a residence abroad. Changing the check constraint makes SQLite rebuild the
    table, which drops its triggers: the overlap trigger (0002) and the immutable-row triggers
    (0004) are created again after the rebuilds, both ways."""

    dependencies = [("registry", "0005_processing_act")]

    operations = [
        # Backwards, this runs last, after the rebuilds of the operations below.
        VendorSQL(postgresql=[], sqlite=[], reverse_sqlite=SQLITE_TRIGGERS),
        migrations.RemoveConstraint(model_name="fact", name="fact_kind_known"),
        migrations.AlterField(
            model_name="fact",
            name="kind",
            field=models.CharField(
                choices=[
                    ("salary", "Salaire net mensuel"),
                    ("self_employment", "Revenu d'activité non salariée mensuel"),
                    ("unemployment_benefit", "Allocation chômage mensuelle"),
                    ("pension", "Pension de retraite ou d'invalidité mensuelle"),
                    ("other_income", "Autre ressource mensuelle"),
                    ("activity", "Situation professionnelle"),
                    ("disability_rate", "Taux d'incapacité (%)"),
                    ("pregnancy", "Grossesse déclarée"),
                    ("housing_status", "Statut d'occupation du logement"),
                    ("rent", "Loyer ou mensualité d'accession"),
                    ("housing_commune", "Commune du logement"),
                    ("fiscal_income_n2", "Revenu fiscal de référence N-2 (annuel)"),
                    ("partner_resources", "Vie maritale : ressources mensuelles du conjoint"),
                    ("residence", "Résidence (en France ou à l'étranger)"),
                ],
                max_length=25,
                verbose_name="nature",
            ),
        ),
        migrations.AddConstraint(
            model_name="fact",
            constraint=models.CheckConstraint(
                condition=models.Q(kind__in=KINDS), name="fact_kind_known"
            ),
        ),
        VendorSQL(postgresql=[], sqlite=SQLITE_TRIGGERS),
    ]
