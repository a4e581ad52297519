"""The audit trail: append-only in the database, a hash chain that tells any change or removal, and
verify_audit that says so."""

import pytest
from django.db import transaction

from audit.models import AuditEvent
from audit.trail import verify_chain
from tests.workflow import brief_with_agency, deliver_script

pytestmark = pytest.mark.django_db


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
    assert "chain intact" in output


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
