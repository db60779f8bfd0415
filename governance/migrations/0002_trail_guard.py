"""The trail's genesis head row, and on PostgreSQL a trigger that refuses UPDATE, DELETE and
TRUNCATE on the event table, so not even the application's own database user can rewrite it.

The test settings alone set `warden.trail_maintenance=on`, which lets TRUNCATE through so the
test runner can empty the database between tests; UPDATE and DELETE are refused regardless."""

from django.db import migrations

GENESIS_HASH = "0" * 64

POSTGRES_GUARD = """
CREATE OR REPLACE FUNCTION governance_event_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('warden.trail_maintenance', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the trail (governance_event) is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER governance_event_append_only
    BEFORE UPDATE OR DELETE ON governance_event
    FOR EACH ROW EXECUTE FUNCTION governance_event_refuse_change();
CREATE TRIGGER governance_event_no_truncate
    BEFORE TRUNCATE ON governance_event
    FOR EACH STATEMENT EXECUTE FUNCTION governance_event_refuse_change();
"""
POSTGRES_UNGUARD = """
DROP TRIGGER IF EXISTS governance_event_append_only ON governance_event;
DROP TRIGGER IF EXISTS governance_event_no_truncate ON governance_event;
DROP FUNCTION IF EXISTS governance_event_refuse_change();
"""


def create_head(apps, schema_editor):
    apps.get_model("governance", "TrailHead").objects.create(pk=1, seq=0, hash=GENESIS_HASH)


def guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_GUARD, params=None)


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_UNGUARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_initial")]

    operations = [
        migrations.RunPython(create_head, migrations.RunPython.noop),
        migrations.RunPython(guard, unguard),
    ]
