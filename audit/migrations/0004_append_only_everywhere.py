"""The database refuses to rewrite the trail: UPDATE and DELETE of an audit event (as before), TRUNCATE of the
events table now too, and the same for the checkpoints. Only a session that says, by name, that it empties a
test database (Django's test runner flushing between tests) may truncate; the real guard against the
application's own database role is that it holds no UPDATE, DELETE or TRUNCATE privilege on these tables
(README, "least privilege"), and the signed checkpoints tell what a table owner did anyway.
"""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION approvals_audit_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' AND current_setting('tiktokplanner.test_flush', true) = 'on' THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER approvals_auditevent_no_truncate BEFORE TRUNCATE ON approvals_auditevent
  FOR EACH STATEMENT EXECUTE FUNCTION approvals_audit_append_only();
CREATE TRIGGER audit_auditcheckpoint_append_only BEFORE UPDATE OR DELETE ON audit_auditcheckpoint
  FOR EACH ROW EXECUTE FUNCTION approvals_audit_append_only();
CREATE TRIGGER audit_auditcheckpoint_no_truncate BEFORE TRUNCATE ON audit_auditcheckpoint
  FOR EACH STATEMENT EXECUTE FUNCTION approvals_audit_append_only();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS approvals_auditevent_no_truncate ON approvals_auditevent;
DROP TRIGGER IF EXISTS audit_auditcheckpoint_append_only ON audit_auditcheckpoint;
DROP TRIGGER IF EXISTS audit_auditcheckpoint_no_truncate ON audit_auditcheckpoint;
"""
# SQLite (the embedded development default) has no TRUNCATE and Django's test flush uses DELETE there: it
# refuses UPDATE only, as for the events.
SQLITE_UP = """
CREATE TRIGGER IF NOT EXISTS audit_auditcheckpoint_append_only BEFORE UPDATE ON audit_auditcheckpoint
BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS audit_auditcheckpoint_append_only;"


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
    dependencies = [("audit", "0003_checkpoints")]
    operations = [migrations.RunPython(install, uninstall)]
