"""Two approvers at the same moment, or one form submitted twice: exactly one decision and one change.

Real threads, each with its own database connection, on PostgreSQL (row locks are what is tested;
SQLite serialises whole transactions and is not the production database).
"""

import threading

import pytest
from django.db import connection, connections

from approvals.models import Decision, RunStatus, Verdict
from approvals.services import ApprovalRefused, decide
from tests.factories import MembershipFactory
from tests.workflow import brief_with_agency, deliver_script, open_run

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locking is tested on PostgreSQL"),
]


def race(calls):
    """Run every call at once (released by one barrier); return what each returned or raised."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # collected and asserted on by the test
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def _decision_call(actor, run, verdict=Verdict.APPROVE, comment=""):
    constraint_ids = list(run.brief.constraints.values_list("pk", flat=True))
    return lambda: decide(
        actor=actor,
        run_id=run.pk,
        version_number=run.version.number,
        step_position=run.current_position,
        verdict=verdict,
        comment=comment,
        checked_constraint_ids=constraint_ids,
    )


def test_two_approvers_deciding_at_once_give_one_decision(world):
    second_social = MembershipFactory(organisation=world.ministry, role="team_social").user
    version = deliver_script(world, brief_with_agency(world))
    run = open_run(version)
    decide(
        actor=world.people["adviser"],
        run_id=run.pk,
        version_number=1,
        step_position=1,
        verdict=Verdict.APPROVE,
        checked_constraint_ids=list(run.brief.constraints.values_list("pk", flat=True)),
    )
    run.refresh_from_db()
    results = race(
        [
            _decision_call(world.people["team_social"], run),
            _decision_call(second_social, run, Verdict.REQUEST_CHANGES, comment="Shorter please"),
        ]
    )
    decisions = [r for r in results if isinstance(r, Decision)]
    refusals = [r for r in results if isinstance(r, ApprovalRefused)]
    assert (len(decisions), len(refusals)) == (1, 1), results
    run.refresh_from_db()
    assert run.decisions.filter(step__position=2).count() == 1
    expected = RunStatus.APPROVED if decisions[0].verdict == Verdict.APPROVE else RunStatus.CHANGES_REQUESTED
    assert run.status == expected


def test_a_double_submitted_form_counts_once(world):
    version = deliver_script(world, brief_with_agency(world))
    run = open_run(version)
    call = _decision_call(world.people["adviser"], run)
    results = race([call, call, call])
    assert sum(isinstance(r, Decision) for r in results) == 1, results
    assert sum(isinstance(r, ApprovalRefused) for r in results) == 2
    assert Decision.objects.filter(run=run).count() == 1
    run.refresh_from_db()
    assert run.current_position == 2
