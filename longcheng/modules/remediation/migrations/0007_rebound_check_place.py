import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_place(apps, schema_editor):
    """Each existing rebound check takes its case's place (a case's place never changes)."""
    ReboundCheck = apps.get_model("remediation", "ReboundCheck")
    Case = apps.get_model("remediation", "Case")
    ReboundCheck.objects.update(place_id=Subquery(Case.objects.filter(pk=OuterRef("case_id")).values("place_id")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ("places", "0001_initial"),
        ("remediation", "0006_tally"),
    ]

    operations = [
        migrations.AddField(
            model_name="reboundcheck",
            name="place",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="places.place"),
        ),
        migrations.RunPython(fill_place, migrations.RunPython.noop),
    ]
