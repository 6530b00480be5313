from django.db import migrations

from justedroit.core.db import immutable_rows


class Migration(migrations.Migration):
    """Model versions, scores and the decisions taken on them are written once: the database
    refuses UPDATE and DELETE (outside a legal erasure) on them."""

    dependencies = [("controls", "0003_targeting"), ("core", "0008_audit_erasure_and_immutable_rows")]

    operations = [
        immutable_rows(
            "controls_targetingmodel", "controls_targetingscore", "controls_targetingdecision"
        )
    ]
