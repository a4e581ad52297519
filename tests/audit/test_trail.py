"""The audit trail: append-only in the database, a hash chain that tells any change or removal, and
verify_audit that says so."""

from contextlib import contextmanager

import pytest
from django.conf import settings
from django.db import transaction

from audit.models import AuditEvent
from audit.trail import verify_chain
from tests.workflow import brief_with_agency, deliver_script

pytestmark = pytest.mark.django_db
ON_POSTGRESQL = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="TRUNCATE and switched-off triggers: PostgreSQL"
)


def test_an_edited_audit_event_breaks_the_chain(world):
    deliver_script(world, brief_with_agency(world))
    assert verify_chain(world.ministry) == []
    event = AuditEvent.objects.filter(organisation=world.ministry).order_by("sequence")[1]
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    # Even past the model (raw SQL on the table), the database refuses, and the chain would tell.
    from django.db import DatabaseError, connection

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE approvals_auditevent SET action = 'tampered' WHERE id = %s", [event.pk])


def test_verify_chain_reports_a_changed_and_a_deleted_event(world):
    """An attacker with the table owner's rights can switch the trigger off; the chain still tells."""
    from django.db import connection

    deliver_script(world, brief_with_agency(world))
    events = list(AuditEvent.objects.filter(organisation=world.ministry).order_by("sequence"))
    with connection.cursor() as cursor:
        _disable_audit_trigger(cursor)
        cursor.execute("UPDATE approvals_auditevent SET action = 'tampered' WHERE id = %s", [events[1].pk])
        cursor.execute("DELETE FROM approvals_auditevent WHERE id = %s", [events[3].pk])
    problems = verify_chain(world.ministry)
    assert f"event #{events[1].sequence} was changed after it was written" in problems
    assert f"event #{events[3].sequence} is missing (next is #{events[4].sequence})" in problems


def test_verify_audit_command_reports_an_intact_chain(world, capsys):
    from django.core.management import call_command

    deliver_script(world, brief_with_agency(world))
    call_command("verify_audit")
    output = capsys.readouterr().out
    assert f"{world.ministry.slug}: " in output
    assert "chain and checkpoints intact" in output


def test_verify_audit_command_fails_on_a_tampered_chain(world):
    from django.core.management import CommandError, call_command
    from django.db import connection

    deliver_script(world, brief_with_agency(world))
    event = AuditEvent.objects.filter(organisation=world.ministry).order_by("sequence").first()
    with connection.cursor() as cursor:
        _disable_audit_trigger(cursor)
        cursor.execute("UPDATE approvals_auditevent SET origin = 'forged' WHERE id = %s", [event.pk])
    with pytest.raises(CommandError, match="tampered"):
        call_command("verify_audit", organisation=world.ministry.slug)


def _disable_audit_trigger(cursor):
    """What an attacker with the table owner's rights could do: switch off the append-only trigger."""
    from django.db import connection

    if connection.vendor == "postgresql":
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses pending deferred checks
        cursor.execute("ALTER TABLE approvals_auditevent DISABLE TRIGGER approvals_auditevent_append_only")
    else:
        cursor.execute("DROP TRIGGER approvals_auditevent_append_only")


# --- Tamper-evidence beyond the chain: the database's triggers and the signed checkpoints -----------------


def _raw(sql, params=()):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@contextmanager
def as_table_owner():
    """An attacker with the table owner's rights: the append-only triggers switched off for the deed, and
    switched on again afterwards to cover it."""
    from django.db import connection

    with connection.cursor() as cursor:
        _disable_audit_trigger(cursor)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE approvals_auditevent DISABLE TRIGGER USER")
            cursor.execute("ALTER TABLE audit_auditcheckpoint DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_auditcheckpoint_append_only")
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE approvals_auditevent ENABLE TRIGGER USER")
            cursor.execute("ALTER TABLE audit_auditcheckpoint ENABLE TRIGGER USER")


def _verify(**kwargs) -> str:
    import io

    from django.core.management import CommandError, call_command

    out = io.StringIO()
    try:
        call_command("verify_audit", stdout=out, **kwargs)
    except CommandError:
        return out.getvalue() + "\nFAILED"
    return out.getvalue()


@pytest.fixture
def checkpointed(world):
    from django.utils import timezone

    from audit import checkpoints

    for _ in range(2):
        deliver_script(world, brief_with_agency(world))
    written = checkpoints.write(now=timezone.now())
    events = list(AuditEvent.objects.filter(organisation=world.ministry).order_by("sequence"))
    return world, events, written


def test_an_intact_trail_and_its_checkpoints_pass(checkpointed):
    world, events, written = checkpointed
    assert any(c.organisation == world.ministry and c.sequence == events[-1].sequence for c in written)
    report = _verify()
    assert (
        "FAILED" not in report
        and f"{world.ministry.slug}: {len(events)} events, chain and checkpoints intact" in report
    )


@ON_POSTGRESQL
def test_truncate_is_refused_by_the_database(checkpointed):
    from django.db import DatabaseError

    _raw("SET tiktokplanner.test_flush = 'off'")  # what the application's own session would say
    _raw("SET CONSTRAINTS ALL IMMEDIATE")
    for table in ("approvals_auditevent", "audit_auditcheckpoint"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            _raw(f"TRUNCATE {table} CASCADE")
    _raw("SET tiktokplanner.test_flush = 'on'")


def test_an_emptied_trail_is_told_by_its_checkpoints(checkpointed):
    world, events, _ = checkpointed
    with as_table_owner():
        _raw("DELETE FROM approvals_auditevent WHERE organisation_id = %s", [world.ministry.pk])
    assert verify_chain(world.ministry) == []  # an empty chain is a valid chain ...
    report = _verify()
    assert f"event #{events[-1].sequence}, signed in a checkpoint, is gone" in report and "FAILED" in report


def test_a_cut_tail_is_told(checkpointed):
    world, events, _ = checkpointed
    with as_table_owner():
        _raw("DELETE FROM approvals_auditevent WHERE id IN (%s, %s)", [events[-1].pk, events[-2].pk])
    assert verify_chain(world.ministry) == []  # ... and so is a shortened one
    assert f"event #{events[-1].sequence}, signed in a checkpoint, is gone" in _verify()


def test_an_edit_with_every_following_hash_recomputed_is_told(checkpointed):
    from audit.trail import compute_hash

    world, events, _ = checkpointed
    with as_table_owner():
        previous = events[0].hash
        for event in events[1:]:
            event = AuditEvent.objects.get(pk=event.pk)
            if event.sequence == events[1].sequence:
                event.origin = "forged"
            event.previous_hash = previous
            event.hash = compute_hash(event)
            _raw(
                "UPDATE approvals_auditevent SET origin = %s, previous_hash = %s, hash = %s WHERE id = %s",
                [event.origin, event.previous_hash, event.hash, event.pk],
            )
            previous = event.hash
    assert verify_chain(world.ministry) == []  # the rewritten chain holds together
    assert f"event #{events[-1].sequence} differs from the one signed in a checkpoint (rewritten)" in _verify()


def test_a_forged_checkpoint_is_told(checkpointed):
    from django.utils import timezone

    from audit.models import AuditCheckpoint

    world, events, _ = checkpointed
    AuditCheckpoint.objects.create(
        organisation=world.ministry, sequence=events[-2].sequence, head_hash=events[-2].hash,
        created_at=timezone.now(), signature="0" * 64,
    )  # fmt: skip
    assert f"checkpoint at #{events[-2].sequence} is not signed with the signing key (forged?)" in _verify()


def test_checkpoints_removed_with_the_events_are_told_by_the_log(checkpointed, caplog, tmp_path):
    from django.utils import timezone

    from audit import checkpoints

    world, _, _ = checkpointed
    deliver_script(world, brief_with_agency(world))
    with caplog.at_level("INFO", logger="audit.checkpoints"):
        checkpoints.write(now=timezone.now())
    log = tmp_path / "central.log"
    log.write_text("\n".join(record.getMessage() for record in caplog.records))
    with as_table_owner():
        _raw("DELETE FROM audit_auditcheckpoint")
        _raw("DELETE FROM approvals_auditevent WHERE organisation_id = %s", [world.ministry.pk])
    assert "FAILED" not in _verify(organisation=world.ministry.slug)  # inside the database, all is "fine"
    report = _verify(organisation=world.ministry.slug, outside_file=str(log))
    assert "(in the log) is missing from the database" in report and "FAILED" in report


@ON_POSTGRESQL
def test_a_switched_off_trigger_is_named(checkpointed):
    _raw("SET CONSTRAINTS ALL IMMEDIATE")
    _raw("ALTER TABLE approvals_auditevent DISABLE TRIGGER approvals_auditevent_append_only")
    report = _verify()
    assert "the append-only trigger approvals_auditevent_append_only on approvals_auditevent is switched off" in report


def test_the_daily_job_signs_logs_and_mails_the_checkpoints(world, settings, mailoutbox, caplog):
    from audit.tasks import write_checkpoints
    from tests.mail import deliver

    settings.AUDIT_CHECKPOINT_EMAIL = ["records@example.org"]
    deliver_script(world, brief_with_agency(world))
    with caplog.at_level("INFO", logger="audit.checkpoints"):
        assert write_checkpoints() >= 1
    assert write_checkpoints() == 0  # nothing new since: no new checkpoint
    assert any('"signature"' in record.getMessage() for record in caplog.records)
    deliver()
    (mail,) = [m for m in mailoutbox if m.to == ["records@example.org"]]
    assert mail.to == ["records@example.org"] and '"head_hash"' in mail.body
