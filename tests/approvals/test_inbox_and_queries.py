"""The inbox agrees with the approval rules, and list pages keep a fixed number of queries."""

from datetime import timedelta

import pytest
from django.urls import reverse

from approvals import rules
from approvals.inbox import waiting_for, waiting_for_others
from approvals.models import ApprovalRun, Verdict
from approvals.services import chain_for
from tests.factories import MembershipFactory
from tests.workflow import brief_with_agency, decide, deliver_script, new_brief, open_run
from tests.world import STAGED_AT

pytestmark = pytest.mark.django_db


def test_the_set_based_rules_agree_with_the_per_run_rules(world):
    chain_for(world.ministry, "script").steps.filter(position=2).update(mode="all")
    second_social = MembershipFactory(organisation=world.ministry, role="team_social").user
    other_adviser = MembershipFactory(organisation=world.ministry, role="adviser").user
    at_step_one = deliver_script(world, brief_with_agency(world))
    at_step_two = deliver_script(world, brief_with_agency(world))
    decide(world.people["adviser"], at_step_two)
    half_decided = deliver_script(world, brief_with_agency(world))
    decide(world.people["adviser"], half_decided)
    decide(world.people["team_social"], half_decided)
    sensitive = deliver_script(world, brief_with_agency(world, sensitive=True))
    finished = deliver_script(world, brief_with_agency(world))
    decide(world.people["adviser"], finished, Verdict.REJECT, "No")
    people = [*world.people.values(), second_social, other_adviser, world.other_admin, world.no_membership]
    runs = [open_run(v) for v in (at_step_one, at_step_two, half_decided, sensitive, finished)]
    for person in people:
        by_query = set(rules.runs_awaiting(person, world.ministry).values_list("pk", flat=True))
        by_rule = {run.pk for run in runs if rules.may_decide(person, run)}
        assert by_query == by_rule, person.username


def test_waiting_for_me_and_for_others_split_the_open_reviews(world, frozen):
    v1 = deliver_script(world, brief_with_agency(world))
    adviser, social = world.people["adviser"], world.people["team_social"]
    mine = waiting_for(adviser, adviser.memberships.get(), now=STAGED_AT)
    assert [item.brief.pk for item in mine if "Decide" in item.label] == [v1.brief_id]
    others = waiting_for_others(social, social.memberships.get(), now=STAGED_AT)
    assert [item.brief.pk for item in others] == [v1.brief_id]
    assert "Communication adviser of the topic" in others[0].label
    assert not others[0].overdue


def test_a_review_is_overdue_after_the_organisations_limit(world):
    started = open_run(deliver_script(world, brief_with_agency(world))).step_started_at
    adviser, social = world.people["adviser"], world.people["team_social"]
    limit = timedelta(days=world.ministry.approval_reminder_days)
    for now, overdue in ((started + limit, False), (started + limit + timedelta(seconds=1), True)):
        (mine,) = [item for item in waiting_for(adviser, adviser.memberships.get(), now=now) if "Decide" in item.label]
        (others,) = waiting_for_others(social, social.memberships.get(), now=now)
        assert (mine.overdue, others.overdue) == (overdue, overdue), now


def test_agency_inbox_asks_for_a_new_version_after_feedback(world):
    version = deliver_script(world, brief_with_agency(world))
    agency = world.people["agency_member"]
    now = open_run(version).step_started_at
    assert not any("Write a script" in item.label for item in waiting_for(agency, agency.memberships.get(), now=now))
    decide(world.people["adviser"], version, Verdict.REQUEST_CHANGES, "Shorter")
    assert any("Write a script" in item.label for item in waiting_for(agency, agency.memberships.get(), now=now))


def _make_reviews(world, count):
    for _ in range(count):
        deliver_script(world, brief_with_agency(world))
        new_brief(world)


@pytest.mark.parametrize("persona", ["adviser", "team_social", "agency_member", "management"])
@pytest.mark.parametrize("url_name", ["home", "inbox", "brief_list"])
def test_list_pages_keep_a_fixed_number_of_queries(world, client_for, django_assert_max_num_queries, persona, url_name):
    client = client_for(world.people[persona])
    _make_reviews(world, 2)
    # The brief list adds its filters' choices (topics, agencies, channels) and where each brief is (runs, steps).
    with django_assert_max_num_queries(20) as few:
        client.get(reverse(url_name))
    _make_reviews(world, 12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert ApprovalRun.objects.count() == 14
