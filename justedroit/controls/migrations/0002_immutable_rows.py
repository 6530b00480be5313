from django.db import migrations

from justedroit.core.db import immutable_rows


class Migration(migrations.Migration):
    """A control's history, the facts and Adjustments it is linked to, the documents received,
    visit reports and the allocataire's observations are written once: the database refuses
    UPDATE and DELETE (outside a legal erasure) on them."""

    dependencies = [("controls", "0001_initial"), ("core", "0008_audit_erasure_and_immutable_rows")]

    operations = [
        immutable_rows(
            "controls_controlevent",
            "controls_controlfact",
            "controls_controladjustment",
            "controls_receiveddocument",
            "controls_visitreport",
            "controls_controlresponse",
        )
    ]
