"""Audit events refer to their timeline generically (subject type and id) instead of by a foreign key to
content's brief; events of no organisation (a platform chain) become possible; the hash records how it was
computed (1: the events written before this, whose payload names the brief, so they verify as written).

Copying each event's brief into its subject is the one update this table ever takes: the append-only
trigger is lifted for it and put back, here in the schema owner's migration.
"""

import django.db.models.deletion
from django.db import migrations, models

POSTGRES_TRIGGER = "approvals_auditevent_append_only"
SQLITE_TRIGGER = """
CREATE TRIGGER IF NOT EXISTS approvals_auditevent_append_only BEFORE UPDATE ON approvals_auditevent
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
"""


def copy_brief_to_subject(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    update = (
        "UPDATE approvals_auditevent SET subject_type = 'content.brief', subject_id = CAST(brief_id AS TEXT) "
        "WHERE brief_id IS NOT NULL"
    )
    if vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE approvals_auditevent DISABLE TRIGGER {POSTGRES_TRIGGER}")
        schema_editor.execute(update)
        schema_editor.execute(f"ALTER TABLE approvals_auditevent ENABLE TRIGGER {POSTGRES_TRIGGER}")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS approvals_auditevent_append_only")
        schema_editor.execute(update)
        schema_editor.execute(SQLITE_TRIGGER)


def reinstall_sqlite_trigger(apps, schema_editor):
    """SQLite rebuilds a table to drop a column, and the rebuilt table has no trigger: put it back."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial"), ("approvals", "0004_auditevent_moves_to_audit")]

    operations = [
        migrations.AddField(
            model_name="auditevent", name="subject_type", field=models.CharField(blank=True, default="", max_length=64)
        ),
        migrations.AddField(
            model_name="auditevent", name="subject_id", field=models.CharField(blank=True, default="", max_length=64)
        ),
        migrations.AddField(
            model_name="auditevent", name="hash_version", field=models.PositiveSmallIntegerField(default=1)
        ),
        migrations.RunPython(copy_brief_to_subject, migrations.RunPython.noop),
        migrations.RemoveField(model_name="auditevent", name="brief"),
        migrations.AlterField(
            model_name="auditevent", name="hash_version", field=models.PositiveSmallIntegerField(default=2)
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="organisation",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="audit_events",
                to="accounts.organisation",
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="result",
            field=models.CharField(choices=[("ok", "Done"), ("refused", "Refused")], default="ok", max_length=16),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["subject_type", "subject_id", "sequence"], name="audit_subject"),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(
                condition=models.Q(organisation__isnull=True), fields=("sequence",), name="audit_platform_sequence_unique"
            ),
        ),
        migrations.RunPython(reinstall_sqlite_trigger, migrations.RunPython.noop),
    ]
