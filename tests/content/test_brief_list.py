"""The brief list: search and filters (topic, status with "a version in review", agency, channel, posting window),
and statuses that say where the ball is."""

from datetime import date

import pytest
from django.urls import reverse

from content.models import Brief
from tests.factories import TopicFactory
from tests.workflow import brief_with_agency, decide, deliver_script, new_brief

pytestmark = pytest.mark.django_db


def _titles(client, **query):
    response = client.get(reverse("brief_list"), query)
    assert response.status_code == 200
    return sorted(brief.title for brief in response.context["briefs"].object_list)


@pytest.fixture
def briefs(world):
    draft = new_brief(world)
    Brief.objects.filter(pk=draft.pk).update(title="Flu jab for over-60s", posting_window_start=date(2027, 1, 4),
                                             posting_window_end=date(2027, 1, 20))  # fmt: skip
    reviewed = brief_with_agency(world)
    Brief.objects.filter(pk=reviewed.pk).update(title="Booster in review")
    deliver_script(world, reviewed)
    waiting = brief_with_agency(world)
    Brief.objects.filter(pk=waiting.pk).update(title="Booster at the agency")
    return {"draft": draft, "reviewed": reviewed, "waiting": waiting}


def test_search_finds_by_title_message_and_reference(world, briefs, client_for):
    client = client_for(world.people["team_social"])
    assert _titles(client, q="flu") == ["Flu jab for over-60s"]
    assert _titles(client, q="rijksoverheid.nl") == sorted(b.title for b in Brief.objects.all())  # the message
    reference = Brief.objects.get(pk=briefs["waiting"].pk).reference
    assert _titles(client, q=reference) == ["Booster at the agency"]
    assert _titles(client, q=str(briefs["waiting"].number)) == ["Booster at the agency"]


def test_filters_by_review_topic_agency_channel_and_window(world, briefs, client_for):
    client = client_for(world.people["team_social"])
    assert _titles(client, status="in_review") == ["Booster in review"]
    assert _titles(client, status="sent_to_agency") == ["Booster at the agency", "Booster in review"]
    topic = TopicFactory(organisation=world.ministry)
    Brief.objects.filter(pk=briefs["draft"].pk).update(topic=topic)
    assert _titles(client, topic=topic.pk) == ["Flu jab for over-60s"]
    assert len(_titles(client, agency=world.agency.pk, channel=world.channel.pk)) == 3
    # Windows that overlap January 2027: only the flu brief's (the others post in December 2026).
    assert _titles(client, posting_from="2027-01-01", posting_until="2027-01-31") == ["Flu jab for over-60s"]


def test_an_unknown_filter_value_shows_a_message_not_an_error_page(world, briefs, client_for):
    response = client_for(world.people["team_social"]).get(reverse("brief_list"), {"topic": 99999})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_the_status_says_where_the_ball_is(world, briefs, client_for):
    client = client_for(world.people["team_social"])
    html = client.get(reverse("brief_list")).content.decode()
    assert "Under review: script version 1, step 1 of 2: Communication adviser of the topic" in html
    assert "With the agency: script" in html  # no version yet: the agency writes
    decide(world.people["adviser"], briefs["reviewed"].script_versions.get())
    page = client.get(reverse("brief_detail", args=[briefs["reviewed"].pk])).content.decode()
    assert "Under review: script version 1, step 2 of 2: Team social" in page
