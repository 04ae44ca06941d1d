import datetime as dt

from django.db import migrations, models


def expire_existing(apps, schema_editor):
    # Tokens issued before expiry existed get the default lifetime from now, not from their issue:
    # a gateway must not lose its token the moment this migration runs.
    from django.conf import settings
    from django.utils import timezone

    ApiToken = apps.get_model("access", "ApiToken")
    ApiToken.objects.filter(expires_at__isnull=True).update(
        expires_at=timezone.now() + dt.timedelta(days=settings.API_TOKEN_DAYS))


class Migration(migrations.Migration):

    dependencies = [
        ("access", "0002_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="expires at"),
        ),
        migrations.RunPython(expire_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="expires at"),
        ),
    ]
