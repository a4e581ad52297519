"""Brief references are numbered per organisation, without gaps: the ministry's Woo inventory never skips the
numbers the municipality's briefs took."""

import pytest
from django.db import IntegrityError

from content.models import Brief
from tests.factories import ChannelFactory, TopicFactory, UserFactory
from tests.workflow import new_brief

pytestmark = pytest.mark.django_db


def _municipality_brief(world):
    municipality = world.municipality
    return Brief.objects.create(
        organisation=municipality,
        channel=ChannelFactory(organisation=municipality),
        agency=world.agency,
        topic=TopicFactory(organisation=municipality),
        title="Prata med någon",
        key_message="Det är okej att inte må bra.",
        created_by=UserFactory(),
    )


def test_each_organisation_numbers_its_own_briefs_without_gaps(world):
    first = new_brief(world)
    theirs = [_municipality_brief(world) for _ in range(2)]
    second, third = new_brief(world), new_brief(world)
    assert [b.reference for b in (first, second, third)] == ["B-00001", "B-00002", "B-00003"]
    assert [b.reference for b in theirs] == ["B-00001", "B-00002"]
    second.title = "Renamed"
    second.save()
    second.refresh_from_db()
    assert second.number == 2  # a saved brief keeps its number


def test_the_database_refuses_two_briefs_with_one_number_in_an_organisation(world):
    brief = new_brief(world)
    clash = new_brief(world)
    clash.number = brief.number
    with pytest.raises(IntegrityError):
        clash.save()
