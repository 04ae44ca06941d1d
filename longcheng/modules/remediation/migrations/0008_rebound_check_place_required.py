import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Apart from 0007: PostgreSQL refuses to alter a table with the fill's deferred checks still pending."""

    dependencies = [
        ("remediation", "0007_rebound_check_place"),
    ]

    operations = [
        migrations.AlterField(
            model_name="reboundcheck",
            name="place",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="places.place"),
        ),
        migrations.AddIndex(
            model_name="reboundcheck",
            index=models.Index(condition=models.Q(("inspection__isnull", True)), fields=["place", "due_on"],
                               name="remediation_rebound_place_due"),
        ),
    ]
