"""On PostgreSQL every write to an alarm sends NOTIFY homesafety_alarms '<alarm id> <place path>'.

A trigger rather than a call in each action: alarms are written by the ingester, the escalation and
offline jobs and the operators' actions, and none of them can forget it. PostgreSQL delivers a
NOTIFY when its transaction commits and drops it on rollback, so a console never hears of an alarm
that does not exist. The place path lets each open console filter by its operator's scope without
a query. SQLite has no NOTIFY: the console polls there (live.py)."""

from django.db import migrations

CHANNEL = "homesafety_alarms"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    q = schema_editor.quote_name
    alarm = q(apps.get_model("homesafety", "Alarm")._meta.db_table)
    enrollee = q(apps.get_model("homesafety", "Enrollee")._meta.db_table)
    resident = q(apps.get_model("people", "Resident")._meta.db_table)
    place = q(apps.get_model("places", "Place")._meta.db_table)
    schema_editor.execute(f"""
CREATE OR REPLACE FUNCTION homesafety_alarm_notify() RETURNS trigger AS $$
DECLARE place_path text;
BEGIN
  SELECT p.path INTO place_path FROM {enrollee} e JOIN {resident} r ON r.id = e.person_id
    JOIN {place} p ON p.id = r.place_id WHERE e.id = NEW.enrollee_id;
  PERFORM pg_notify('{CHANNEL}', NEW.id::text || ' ' || coalesce(place_path, ''));
  RETURN NULL;
END $$ LANGUAGE plpgsql""")
    schema_editor.execute(f"CREATE TRIGGER homesafety_alarm_notify AFTER INSERT OR UPDATE ON {alarm} "
                          "FOR EACH ROW EXECUTE FUNCTION homesafety_alarm_notify()")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    alarm = schema_editor.quote_name(apps.get_model("homesafety", "Alarm")._meta.db_table)
    schema_editor.execute(f"DROP TRIGGER IF EXISTS homesafety_alarm_notify ON {alarm}")
    schema_editor.execute("DROP FUNCTION IF EXISTS homesafety_alarm_notify()")


class Migration(migrations.Migration):

    dependencies = [
        ("homesafety", "0002_fewer_indexes_on_hot_rows"),
        ("people", "0001_initial"),
        ("places", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
