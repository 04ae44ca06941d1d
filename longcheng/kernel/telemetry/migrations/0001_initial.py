"""The telemetry tables, moved from home safety (issue 20) without moving a row: they keep the names
home safety gave them. Where home safety's migrations created them already (every database made
before the move, and a new one with home safety installed, which migrates home safety first), this
migration only takes them into the kernel's state; a database without home safety gets them here."""

import django.db.models.deletion
from django.apps import apps as installed
from django.db import migrations, models


class CreateModelUnlessPresent(migrations.CreateModel):
    """CreateModel whose table is created only when it does not exist yet."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.name)
        if model._meta.db_table in schema_editor.connection.introspection.table_names():
            return
        super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass  # the tables stay: home safety's migrations own them where it made them


class Migration(migrations.Migration):

    initial = True

    # Home safety made these tables before issue 20 moved them here: where it is installed, its
    # migrations up to the move run first (a name in a list, not an import of the module).
    dependencies = ([("homesafety", "0007_rules_and_chains")]
                    if installed.is_installed("longcheng.modules.homesafety") else [])

    operations = [
        CreateModelUnlessPresent(
            name='DeadLetter',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('received_at', models.DateTimeField(db_index=True)),
                ('source', models.CharField(max_length=10)),
                ('topic', models.CharField(blank=True, max_length=200)),
                ('device_serial', models.CharField(blank=True, db_index=True, max_length=40)),
                ('reason', models.CharField(max_length=40)),
                ('detail', models.CharField(blank=True, max_length=300)),
                ('payload', models.TextField()),
            ],
            options={
                'verbose_name': 'rejected message',
                'verbose_name_plural': 'rejected messages',
                'db_table': 'homesafety_deadletter',
            },
        ),
        CreateModelUnlessPresent(
            name='Device',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('serial', models.CharField(max_length=40, unique=True, verbose_name='serial or IMEI')),
                ('kind', models.CharField(max_length=30, verbose_name='device type')),
                ('installed_at', models.DateTimeField(blank=True, null=True, verbose_name='installed at')),
                ('active', models.BooleanField(default=True, verbose_name='active')),
            ],
            options={
                'verbose_name': 'device',
                'verbose_name_plural': 'devices',
                'db_table': 'homesafety_device',
            },
        ),
        CreateModelUnlessPresent(
            name='DeviceState',
            fields=[
                ('device', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='state', serialize=False, to='telemetry.device')),
                ('last_device_time', models.DateTimeField(blank=True, null=True)),
                ('last_received_at', models.DateTimeField(blank=True, null=True)),
                ('last_seq', models.BigIntegerField(blank=True, null=True)),
                ('metrics', models.JSONField(blank=True, default=dict)),
                ('lat', models.FloatField(blank=True, null=True)),
                ('lon', models.FloatField(blank=True, null=True)),
                ('rule_state', models.JSONField(blank=True, default=dict)),
                ('online', models.BooleanField(default=False)),
                ('max_seq', models.BigIntegerField(blank=True, null=True)),
                ('clock_offset_s', models.FloatField(blank=True, null=True)),
                ('pending_gaps', models.JSONField(blank=True, default=list)),
            ],
            options={
                'db_table': 'homesafety_devicestate',
            },
        ),
        CreateModelUnlessPresent(
            name='Reading',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('seq', models.BigIntegerField()),
                ('device_time', models.DateTimeField()),
                ('received_at', models.DateTimeField()),
                ('metrics', models.JSONField(default=dict)),
                ('event', models.CharField(blank=True, max_length=20)),
                ('device', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='readings', to='telemetry.device')),
            ],
            options={
                'db_table': 'homesafety_reading',
                'indexes': [models.Index(fields=['device', 'device_time'], name='homesafety__device__f1bb0e_idx')],
                'constraints': [models.UniqueConstraint(fields=('device', 'seq'), name='homesafety_reading_once')],
            },
        ),
        CreateModelUnlessPresent(
            name='SeqGap',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('first_seq', models.BigIntegerField(verbose_name='from')),
                ('last_seq', models.BigIntegerField(verbose_name='to')),
                ('count', models.BigIntegerField(verbose_name='count')),
                ('missing', models.BigIntegerField(verbose_name='still missing')),
                ('detected_at', models.DateTimeField(db_index=True, verbose_name='seen at')),
                ('warned_at', models.DateTimeField(blank=True, null=True)),
                ('device', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='gaps', to='telemetry.device')),
            ],
            options={
                'verbose_name': 'sequence gap',
                'verbose_name_plural': 'sequence gaps',
                'db_table': 'homesafety_seqgap',
                'indexes': [models.Index(fields=['device', 'first_seq'], name='homesafety__device__287be3_idx')],
            },
        ),
    ]
