"""Audit events are append-only in the database itself, not only in the model.

PostgreSQL refuses UPDATE and DELETE. SQLite (the embedded development default) refuses UPDATE only:
Django's test flush empties tables with DELETE there; the hash chain still reveals any deletion.
"""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION approvals_audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER approvals_auditevent_append_only
  BEFORE UPDATE OR DELETE ON approvals_auditevent
  FOR EACH ROW EXECUTE FUNCTION approvals_audit_append_only();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS approvals_auditevent_append_only ON approvals_auditevent;
DROP FUNCTION IF EXISTS approvals_audit_append_only();
"""
SQLITE_UP = """
CREATE TRIGGER approvals_auditevent_append_only BEFORE UPDATE ON approvals_auditevent
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS approvals_auditevent_append_only;"


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [("approvals", "0002_initial")]
    operations = [migrations.RunPython(install, uninstall)]
