"""Django's admin is the operator's (superusers): organisation admins get a 403 there and manage their organisation
in its settings pages (tests/administration: only their own people, channels, agencies and chains, every change
audited). What the operator changes in the admin is audited too."""

import re

import pytest
from django.urls import reverse

from accounts import access
from accounts.models import Membership
from accounts.roles import Role
from tests.factories import UserFactory


@pytest.fixture
def operator(db):
    return UserFactory(username="operator", is_superuser=True, is_staff=True)


def test_organisation_admins_get_a_403_everywhere_in_the_admin(world, client_for):
    client = client_for(world.people["org_admin"])
    membership = Membership.objects.get(user=world.people["adviser"])
    for url in (
        reverse("admin:index"),
        reverse("admin:accounts_membership_changelist"),
        reverse("admin:accounts_membership_change", args=[membership.pk]),
        reverse("admin:accounts_user_add"),
        reverse("admin:accounts_channel_add"),
        reverse("admin:approvals_approvalchain_add"),
        reverse("admin:content_topic_add"),
        reverse("admin:audit_auditevent_changelist"),
        reverse("admin:core_outgoingmail_changelist"),
    ):
        assert client.get(url).status_code == 403, url
    response = client.post(
        reverse("admin:accounts_channel_add"),
        {"organisation": world.ministry.pk, "handle": "sneaky", "display_name": "Sneaky", "is_active": "on",
         "min_video_seconds": 3, "max_video_seconds": 60},
    )  # fmt: skip
    assert response.status_code == 403
    assert not world.ministry.channels.filter(handle="sneaky").exists()


def test_org_admin_may_not_change_an_account_shared_with_another_organisation(world, client_for):
    shared = world.shared_agency_member
    assert not access.may_administer_user(world.people["org_admin"], shared)
    assert access.may_administer_user(world.people["org_admin"], world.people["adviser"])
    client = client_for(world.people["org_admin"])
    response = client.post(
        reverse("admin:accounts_user_change", args=[shared.pk]),
        {"username": shared.username, "first_name": "Taken", "last_name": "Over", "is_active": "on"},
    )
    assert response.status_code == 403
    shared.refresh_from_db()
    assert shared.first_name != "Taken"


def test_org_admin_cannot_set_a_password_on_a_shared_account(world, client_for):
    client = client_for(world.people["org_admin"])
    url = reverse("admin:auth_user_password_change", args=[world.shared_agency_member.pk])
    response = client.post(url, {"password1": "x-long-enough-pass-99", "password2": "x-long-enough-pass-99"})
    assert response.status_code in (403, 404)


def test_audit_events_are_read_only_in_the_admin(world, client_for, operator):
    from audit.models import AuditEvent
    from audit.trail import record

    event = record(
        organisation=world.ministry, actor=world.people["adviser"], action="topic.created", obj=world.ministry
    )
    client = client_for(operator)
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_every_change_in_the_admin_is_in_the_audit_trail(world, client_for, operator):
    from audit.models import AuditEvent
    from audit.trail import verify_chain

    admin = operator
    client = client_for(admin)
    client.post(
        reverse("admin:accounts_channel_add"),
        {"organisation": world.ministry.pk, "handle": "new_channel", "display_name": "New", "is_active": "on",
         "min_video_seconds": 3, "max_video_seconds": 60},
    )  # fmt: skip
    channel = world.ministry.channels.get(handle="new_channel")
    added = AuditEvent.objects.get(action="admin.added", object_id=str(channel.pk))
    assert (added.organisation, added.actor, added.object_type) == (world.ministry, admin, "accounts.channel")
    membership = Membership.objects.get(user=world.people["reviewer"])
    client.post(
        reverse("admin:accounts_membership_change", args=[membership.pk]),
        {"user": membership.user_id, "organisation": world.ministry.pk, "role": Role.CAMPAIGN_MANAGER,
         "is_active": "on"},
    )  # fmt: skip
    changed = AuditEvent.objects.get(action="admin.changed", object_id=str(membership.pk))
    assert changed.label == "Changed in the administration"
    assert changed.details["change"] == [{"changed": {"fields": ["Role"]}}]
    client.post(reverse("admin:accounts_channel_delete", args=[channel.pk]), {"post": "yes"})
    assert AuditEvent.objects.filter(action="admin.deleted", object_id=str(channel.pk)).exists()
    assert verify_chain(world.ministry) == []


def test_a_change_that_concerns_no_organisation_goes_into_the_platforms_chain(world, client_for, operator):
    from audit.models import AuditEvent
    from audit.trail import verify_chain

    client = client_for(operator)
    client.post(reverse("admin:accounts_agency_add"), {"name": "Brand new agency"})
    event = AuditEvent.objects.get(action="admin.added", object_type="accounts.agency")
    assert event.organisation is None and event.actor == operator
    assert verify_chain(None) == []


def test_the_audit_trail_in_the_admin_is_in_words(world, client_for, operator):
    from audit.trail import record

    record(organisation=world.ministry, actor=world.people["adviser"], action="topic.created", obj=world.ministry)
    client = client_for(operator)
    page = client.get(reverse("admin:audit_auditevent_changelist")).content.decode()
    text = re.sub(r"<[^>]+>", " ", page)  # what people read, not the links' addresses
    assert "Topic created" in text and "Communication adviser" in text
    assert "topic.created" not in text and not re.search(r">\s*(adviser|team_social)\s*<", page)
    filtered = client.get(reverse("admin:audit_auditevent_changelist"), {"organisation": world.ministry.pk})
    assert filtered.status_code == 200


def test_a_password_set_by_an_admin_is_in_the_audit_trail(world, client_for, operator):
    from audit.models import AuditEvent

    adviser = world.people["adviser"]
    client = client_for(operator)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[adviser.pk]),
        {"password1": "kettle-orbit-lantern-57", "password2": "kettle-orbit-lantern-57"},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="admin.changed", object_id=str(adviser.pk))
    assert (event.actor, event.organisation) == (operator, world.ministry)
    assert "password" in str(event.details["change"]).lower()
    assert "kettle" not in str(event.details)
