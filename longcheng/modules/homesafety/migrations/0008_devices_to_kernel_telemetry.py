"""Issue 20: devices, their states, readings, dead letters and sequence gaps move to the kernel's
telemetry (kernel/telemetry/migrations/0001, which takes the tables as they are: no row moves).
Home safety keeps what it binds to a device, the person and the wristband's payment and calling
switches, in a table of its own (`homesafety_binding`, one row per device, copied here), and its
alarms, kit items and feature requests point at the kernel's device (the same table as before)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('homesafety', '0007_rules_and_chains'),
        ('telemetry', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='SeqGap'),
                migrations.DeleteModel(name='Reading'),
                migrations.DeleteModel(name='DeviceState'),
                migrations.DeleteModel(name='DeadLetter'),
                migrations.AlterField(
                    model_name='alarm',
                    name='device',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='alarms', to='telemetry.device', verbose_name='device'),
                ),
                migrations.AlterField(
                    model_name='kititem',
                    name='device',
                    field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='kit_item', to='telemetry.device'),
                ),
                migrations.AlterField(
                    model_name='featurerequest',
                    name='device',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='feature_requests', to='telemetry.device'),
                ),
            ],
            database_operations=[],
        ),
        migrations.CreateModel(
            name='Binding',
            fields=[
                ('device_ptr', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, parent_link=True, primary_key=True, related_name='homesafety', serialize=False, to='telemetry.device')),
                ('enrollee', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='devices', to='homesafety.enrollee', verbose_name='enrolled person')),
                ('payment_enabled', models.BooleanField(default=False, verbose_name='payment enabled')),
                ('calling_enabled', models.BooleanField(default=False, verbose_name='calling enabled')),
            ],
            options={
                'verbose_name': 'device',
                'verbose_name_plural': 'devices',
                'db_table': 'homesafety_binding',
            },
            bases=('telemetry.device',),
        ),
        migrations.RunSQL(
            "INSERT INTO homesafety_binding (device_ptr_id, enrollee_id, payment_enabled, calling_enabled) "
            "SELECT id, enrollee_id, payment_enabled, calling_enabled FROM homesafety_device",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.RemoveField(model_name='device', name='enrollee'),
        migrations.RemoveField(model_name='device', name='payment_enabled'),
        migrations.RemoveField(model_name='device', name='calling_enabled'),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='Device')],
            database_operations=[],
        ),
        migrations.RenameModel(old_name='Binding', new_name='Device'),
    ]
