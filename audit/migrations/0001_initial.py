"""The audit event moves here from approvals: the table (approvals_auditevent), its rows, their chain and
the append-only trigger stay as they are; only Django's idea of which app owns the model changes."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0004_organisation_budget_overrun_needs_approval"),
        ("approvals", "0003_audit_append_only"),
        ("content", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEvent",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("sequence", models.PositiveBigIntegerField()),
                        ("actor_role", models.CharField(blank=True, max_length=32)),
                        ("action", models.CharField(max_length=64)),
                        ("object_type", models.CharField(max_length=64)),
                        ("object_id", models.CharField(max_length=64)),
                        ("result", models.CharField(default="ok", max_length=16)),
                        ("origin", models.CharField(blank=True, max_length=64)),
                        ("created_at", models.DateTimeField()),
                        ("details", models.JSONField(blank=True, default=dict)),
                        ("previous_hash", models.CharField(max_length=64)),
                        ("hash", models.CharField(max_length=64, unique=True)),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "brief",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="content.brief",
                            ),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="accounts.organisation",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "audit event",
                        "verbose_name_plural": "audit events",
                        "ordering": ["organisation", "sequence"],
                        "db_table": "approvals_auditevent",
                        "constraints": [
                            models.UniqueConstraint(fields=("organisation", "sequence"), name="audit_sequence_unique")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
