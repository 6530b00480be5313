from django.db import migrations

from justedroit.core.db import immutable_rows


class Migration(migrations.Migration):
    """A fraud file's history, its indus, the intent checklist, the qualifications, the
    sanction decided and the allocataire's observations are written once: the database refuses
    UPDATE and DELETE (outside a legal erasure) on them."""

    dependencies = [("fraud", "0001_initial"), ("core", "0008_audit_erasure_and_immutable_rows")]

    operations = [
        immutable_rows(
            "fraud_fraudevent",
            "fraud_fraudadjustment",
            "fraud_intentfinding",
            "fraud_fraudqualification",
            "fraud_fraudsanction",
            "fraud_fraudobservation",
        )
    ]
