"""Channels in the organisation's settings: listed, added and changed by the organisation admin, only the ministry's,
a handle in use refused without saying whose, every change audited."""

import pytest
from django.urls import reverse

from accounts.models import Channel
from audit.models import AuditEvent

from .helpers import admin_client, unlabelled_fields

pytestmark = pytest.mark.django_db

NEW = {"handle": "ministry_news", "display_name": "Ministry news", "is_active": "on", "min_video_seconds": 3,
       "max_video_seconds": 90}  # fmt: skip


def test_the_list_shows_the_organisations_channels_with_a_way_to_their_results(world, client_for):
    page = admin_client(world, client_for).get(reverse("settings_channels")).content.decode()
    assert "@ministry_channel" in page and "nykvarn_channel" not in page
    assert reverse("stats_channel", args=[world.channel.pk]) in page  # connecting to TikTok happens there


def test_a_channel_is_added_and_audited(world, client_for):
    client = admin_client(world, client_for)
    assert unlabelled_fields(client.get(reverse("settings_channel_add")).content.decode()) == []
    response = client.post(reverse("settings_channel_add"), NEW)
    assert response.status_code == 302
    channel = Channel.objects.get(handle="ministry_news")
    assert (channel.organisation, channel.max_video_seconds) == (world.ministry, 90)
    event = AuditEvent.objects.get(action="channel.added")
    assert (event.actor, event.organisation, event.object_id) == (
        world.people["org_admin"],
        world.ministry,
        str(channel.pk),
    )


def test_a_handle_in_use_anywhere_is_refused_without_saying_whose(world, client_for):
    response = admin_client(world, client_for).post(
        reverse("settings_channel_add"), NEW | {"handle": "NYKVARN_channel"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Another channel already has this TikTok handle." in page
    assert world.municipality.name not in page
    assert 'value="Ministry news"' in page  # what was typed stays
    assert not Channel.objects.filter(organisation=world.ministry, handle__iexact="nykvarn_channel").exists()
    assert not AuditEvent.objects.filter(action="channel.added").exists()


def test_the_longest_video_may_not_be_shorter_than_the_shortest(world, client_for):
    response = admin_client(world, client_for).post(
        reverse("settings_channel_add"), NEW | {"min_video_seconds": 30, "max_video_seconds": 10}
    )
    assert response.status_code == 400
    assert "The longest video can&#x27;t be shorter than the shortest." in response.content.decode()


def test_a_channel_is_changed_and_the_change_audited_before_and_after(world, client_for):
    client = admin_client(world, client_for)
    url = reverse("settings_channel_edit", args=[world.channel.pk])
    page = client.get(url).content.decode()
    assert 'value="ministry_channel"' in page and unlabelled_fields(page) == []
    fields = {"handle": "ministry_channel", "display_name": "Renamed", "min_video_seconds": 3, "max_video_seconds": 60}
    assert client.post(url, fields).status_code == 302  # is_active unticked: switched off
    world.channel.refresh_from_db()
    assert (world.channel.display_name, world.channel.is_active) == ("Renamed", False)
    event = AuditEvent.objects.get(action="channel.changed")
    assert event.details["changes"]["display_name"]["after"] == "Renamed"
    assert event.details["changes"]["is_active"] == {"before": True, "after": False}
    client.post(url, fields)  # the same again: nothing changes, nothing is recorded
    assert AuditEvent.objects.filter(action="channel.changed").count() == 1


def test_another_organisations_channel_is_not_found(world, client_for):
    client = admin_client(world, client_for)
    url = reverse("settings_channel_edit", args=[world.other_channel.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, NEW | {"handle": "nykvarn_channel"}).status_code == 404
    world.other_channel.refresh_from_db()
    assert world.other_channel.display_name != "Ministry news"


def test_other_roles_may_not_change_channels(world, client_for):
    client = client_for(world.people["team_social"])
    assert client.get(reverse("settings_channels")).status_code == 403
    assert client.post(reverse("settings_channel_add"), NEW).status_code == 403
    assert not Channel.objects.filter(handle="ministry_news").exists()
