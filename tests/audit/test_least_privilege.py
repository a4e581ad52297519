"""The application's own database role, set up as the README says, may add to the audit trail but not rewrite,
remove, empty or unprotect it; everything else it needs, it may."""

import io
import uuid

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="PostgreSQL roles"),
]


@pytest.fixture
def app_role(world):
    from audit import trail

    trail.record(organisation=world.ministry, actor=None, action="topic.created", obj=world.ministry)
    role = f"planner_app_{uuid.uuid4().hex[:8]}"
    out = io.StringIO()
    call_command("database_grants", role=role, stdout=out)
    server = dict(settings.DATABASES["default"])
    owner = psycopg.connect(
        host=server["HOST"] or "127.0.0.1", port=server["PORT"] or 5432, user=server["USER"], dbname=server["NAME"],
        autocommit=True,
    )  # fmt: skip
    owner.execute(f'CREATE ROLE "{role}" LOGIN')
    for statement in out.getvalue().splitlines():
        owner.execute(statement)
    app = psycopg.connect(
        host=server["HOST"] or "127.0.0.1", port=server["PORT"] or 5432, user=role, dbname=server["NAME"],
        autocommit=True,
    )  # fmt: skip
    yield app
    app.close()
    owner.execute(f'REASSIGN OWNED BY "{role}" TO CURRENT_USER')
    owner.execute(f'DROP OWNED BY "{role}"')
    owner.execute(f'DROP ROLE "{role}"')
    owner.close()


@pytest.mark.parametrize(
    "attack",
    [
        "UPDATE approvals_auditevent SET origin = 'forged'",
        "DELETE FROM approvals_auditevent",
        "TRUNCATE approvals_auditevent",
        "ALTER TABLE approvals_auditevent DISABLE TRIGGER approvals_auditevent_append_only",
        "DELETE FROM audit_auditcheckpoint",
        "DROP TRIGGER approvals_auditevent_append_only ON approvals_auditevent",
    ],
)
def test_the_app_role_cannot_rewrite_or_unprotect_the_trail(app_role, attack):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        app_role.execute(attack)


def test_the_app_role_reads_writes_its_tables_and_adds_to_the_trail(app_role, world):
    count = app_role.execute("SELECT count(*) FROM approvals_auditevent").fetchone()[0]
    assert count >= 1
    app_role.execute("UPDATE accounts_organisation SET name = name WHERE id = %s", [world.ministry.pk])
    app_role.execute("SELECT id FROM accounts_organisation WHERE id = %s FOR UPDATE", [world.ministry.pk])
    # Appending an event is what the app does: as this role, through the app's own code path.
    row = app_role.execute(
        "INSERT INTO approvals_auditevent (organisation_id, sequence, actor_role, action, object_type, object_id, "
        "subject_type, subject_id, result, origin, created_at, details, hash_version, previous_hash, hash) "
        "VALUES (%s, 999999, '', 'topic.created', 'x', '1', '', '', 'ok', '', now(), '{}', 2, 'p', %s) RETURNING id",
        [world.ministry.pk, uuid.uuid4().hex],
    ).fetchone()
    assert row[0]
