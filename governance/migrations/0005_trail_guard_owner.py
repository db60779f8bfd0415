"""On PostgreSQL, guard the trail against the application's own database role.

Migration 0002 let TRUNCATE through when a session set `warden.trail_maintenance`, a setting any
role may set: that switch is gone. Now TRUNCATE passes only for the tables' owner (the role that
runs migrations, which could disable the trigger anyway), UPDATE and DELETE of events are refused
to everyone, and the head row may only move forward to the event just appended: one step, to that
event's hash. An event may only be inserted right after the head, linked to it, so no one can
plant events at future sequence numbers. The application role is also denied the privileges
(see `manage.py db_roles`)."""

from importlib import import_module

from django.db import migrations

# Reversing restores 0002's function (a module name starting with a digit needs import_module).
OLD = import_module("governance.migrations.0002_trail_guard")

GENESIS_HASH = "0" * 64

# The owner of the guarded table, or a superuser: the only sessions trusted to TRUNCATE.
_IS_OWNER = (
    "pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE')"
)

POSTGRES_GUARD = f"""
CREATE OR REPLACE FUNCTION governance_event_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND {_IS_OWNER} THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the trail (governance_event) is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION governance_event_after_head() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM governance_trailhead
               WHERE id = 1 AND seq + 1 = NEW.seq AND hash = NEW.prev_hash) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the trail (governance_event) grows only after its head: seq % refused',
        NEW.seq USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER governance_event_after_head
    BEFORE INSERT ON governance_event
    FOR EACH ROW EXECUTE FUNCTION governance_event_after_head();

CREATE OR REPLACE FUNCTION governance_trailhead_forward_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND {_IS_OWNER} THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' AND NEW.seq = 0 AND NEW.hash = '{GENESIS_HASH}'
            AND NOT EXISTS (SELECT 1 FROM governance_trailhead)
            AND NOT EXISTS (SELECT 1 FROM governance_event) THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.seq = OLD.seq + 1 AND EXISTS (
            SELECT 1 FROM governance_event
            WHERE seq = NEW.seq AND hash = NEW.hash AND prev_hash = OLD.hash) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the trail head (governance_trailhead) only moves forward: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER governance_trailhead_forward_only
    BEFORE INSERT OR UPDATE OR DELETE ON governance_trailhead
    FOR EACH ROW EXECUTE FUNCTION governance_trailhead_forward_only();
CREATE TRIGGER governance_trailhead_no_truncate
    BEFORE TRUNCATE ON governance_trailhead
    FOR EACH STATEMENT EXECUTE FUNCTION governance_trailhead_forward_only();
"""
POSTGRES_UNGUARD = """
DROP TRIGGER IF EXISTS governance_event_after_head ON governance_event;
DROP FUNCTION IF EXISTS governance_event_after_head();
DROP TRIGGER IF EXISTS governance_trailhead_forward_only ON governance_trailhead;
DROP TRIGGER IF EXISTS governance_trailhead_no_truncate ON governance_trailhead;
DROP FUNCTION IF EXISTS governance_trailhead_forward_only();
"""


def guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_GUARD, params=None)


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_UNGUARD, params=None)
        schema_editor.execute(OLD.POSTGRES_UNGUARD + OLD.POSTGRES_GUARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("governance", "0004_review_incidents")]

    operations = [migrations.RunPython(guard, unguard)]
