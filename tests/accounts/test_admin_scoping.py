"""The admin shows an organisation admin only their own organisation's rows."""

import re

from django.urls import reverse

from accounts import access
from accounts.models import Membership
from accounts.roles import Role


def test_org_admin_lists_only_own_memberships(world, client_for):
    client = client_for(world.people["org_admin"])
    response = client.get(reverse("admin:accounts_membership_changelist"))
    assert response.status_code == 200
    shown = set(response.context["cl"].queryset.values_list("organisation_id", flat=True))
    assert shown == {world.ministry.pk}


def test_another_organisations_membership_looks_like_a_missing_one(world, client_for):
    client = client_for(world.people["org_admin"])
    foreign = Membership.objects.get(user=world.other_admin)
    foreign_response = client.get(reverse("admin:accounts_membership_change", args=[foreign.pk]), follow=True)
    missing_response = client.get(reverse("admin:accounts_membership_change", args=[987654]), follow=True)
    assert foreign_response.redirect_chain == [(reverse("admin:index"), 302)]
    assert foreign_response.redirect_chain == missing_response.redirect_chain
    assert world.other_admin.username not in foreign_response.content.decode()


def test_org_admin_cannot_choose_another_organisation_for_a_channel(world, client_for):
    client = client_for(world.people["org_admin"])
    response = client.post(
        reverse("admin:accounts_channel_add"),
        {"organisation": world.municipality.pk, "handle": "sneaky", "display_name": "Sneaky", "is_active": "on"},
    )
    assert response.status_code == 200  # the form comes back with an error
    assert "organisation" in response.context["adminform"].form.errors
    assert not world.municipality.channels.filter(handle="sneaky").exists()


def test_org_admin_adds_a_person_with_a_role_in_their_organisation(world, client_for):
    client = client_for(world.people["org_admin"])
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "new-adviser",
            "usable_password": "true",
            "password1": "a-long-enough-passphrase-2026",
            "password2": "a-long-enough-passphrase-2026",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "1",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-organisation": world.ministry.pk,
            "memberships-0-role": Role.COMMUNICATION_ADVISER,
            "memberships-0-is_active": "on",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    membership = Membership.objects.get(user__username="new-adviser")
    assert (membership.organisation, membership.role) == (world.ministry, Role.COMMUNICATION_ADVISER)


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


def test_topic_owner_choices_hold_only_the_organisations_people(world, client_for):
    response = client_for(world.people["org_admin"]).get(reverse("admin:content_topic_add"))
    choices = set(response.context["adminform"].form.fields["owner"].queryset)
    assert world.people["adviser"] in choices
    assert world.other_admin not in choices


def test_org_admin_configures_the_approval_chain_of_their_organisation(world, client_for):
    from approvals.models import ApprovalChain

    client = client_for(world.people["org_admin"])
    response = client.post(
        reverse("admin:approvals_approvalchain_add"),
        {
            "organisation": world.ministry.pk,
            "stage": "video",
            "steps-TOTAL_FORMS": "2",
            "steps-INITIAL_FORMS": "0",
            "steps-MIN_NUM_FORMS": "1",
            "steps-MAX_NUM_FORMS": "1000",
            "steps-0-position": "1",
            "steps-0-name": "Team social",
            "steps-0-role": "team_social",
            "steps-0-mode": "any",
            "steps-1-position": "2",
            "steps-1-name": "Press office",
            "steps-1-role": "reviewer",
            "steps-1-mode": "all",
        },
    )
    assert response.status_code == 302
    chain = ApprovalChain.objects.get(organisation=world.ministry, stage="video")
    assert list(chain.steps.values_list("role", flat=True)) == ["team_social", "reviewer"]


def test_the_agency_can_never_be_an_approval_step(world, client_for):
    from approvals.models import ApprovalChain

    client = client_for(world.people["org_admin"])
    client.post(
        reverse("admin:approvals_approvalchain_add"),
        {
            "organisation": world.ministry.pk,
            "stage": "script",
            "steps-TOTAL_FORMS": "1",
            "steps-INITIAL_FORMS": "0",
            "steps-MIN_NUM_FORMS": "1",
            "steps-MAX_NUM_FORMS": "1000",
            "steps-0-position": "1",
            "steps-0-name": "Agency self-check",
            "steps-0-role": "agency",
            "steps-0-mode": "any",
        },
    )
    assert not ApprovalChain.objects.filter(organisation=world.ministry, stage="script").exists()


def test_audit_events_are_read_only_in_the_admin(world, client_for):
    from audit.models import AuditEvent
    from audit.trail import record

    event = record(
        organisation=world.ministry, actor=world.people["adviser"], action="topic.created", obj=world.ministry
    )
    client = client_for(world.people["org_admin"])
    assert client.get(reverse("admin:audit_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_every_change_in_the_admin_is_in_the_audit_trail(world, client_for):
    from audit.models import AuditEvent
    from audit.trail import verify_chain

    admin = world.people["org_admin"]
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


def test_a_change_that_concerns_no_organisation_goes_into_the_platforms_chain(world, client_for):
    from audit.models import AuditEvent
    from audit.trail import verify_chain
    from tests.factories import UserFactory

    operator = UserFactory(username="operator", is_superuser=True)
    client = client_for(operator)
    client.post(reverse("admin:accounts_agency_add"), {"name": "Brand new agency"})
    event = AuditEvent.objects.get(action="admin.added", object_type="accounts.agency")
    assert event.organisation is None and event.actor == operator
    assert verify_chain(None) == []


def test_the_audit_trail_in_the_admin_is_in_words_and_filters_only_own_organisations(world, client_for):
    from audit.trail import record

    record(organisation=world.ministry, actor=world.people["adviser"], action="topic.created", obj=world.ministry)
    record(organisation=world.municipality, actor=None, action="topic.created", obj=world.municipality)
    client = client_for(world.people["org_admin"])
    page = client.get(reverse("admin:audit_auditevent_changelist")).content.decode()
    text = re.sub(r"<[^>]+>", " ", page)  # what people read, not the links' addresses
    assert "Topic created" in text and "Communication adviser" in text
    assert "topic.created" not in text and not re.search(r">\s*(adviser|team_social)\s*<", page)
    assert world.municipality.name not in page  # not even as a filter choice
    filtered = client.get(reverse("admin:audit_auditevent_changelist"), {"organisation": world.ministry.pk})
    assert filtered.status_code == 200
    topics = client.get(reverse("admin:content_topic_changelist")).content.decode()
    assert world.municipality.name not in topics


def test_a_password_set_by_an_admin_is_in_the_audit_trail(world, client_for):
    from audit.models import AuditEvent

    adviser = world.people["adviser"]
    client = client_for(world.people["org_admin"])
    response = client.post(
        reverse("admin:auth_user_password_change", args=[adviser.pk]),
        {"password1": "kettle-orbit-lantern-57", "password2": "kettle-orbit-lantern-57"},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="admin.changed", object_id=str(adviser.pk))
    assert (event.actor, event.organisation) == (world.people["org_admin"], world.ministry)
    assert "password" in str(event.details["change"]).lower()
    assert "kettle" not in str(event.details)
