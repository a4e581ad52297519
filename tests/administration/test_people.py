"""People in the organisation's settings: the ministry's organisation admin adds people, changes their role, ends and
reactivates memberships and resets a lost second factor, only of the ministry's people, every change audited."""

import re
from datetime import date

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import second_factor
from accounts.models import Membership, User
from accounts.roles import Role
from audit.models import AuditEvent
from core.models import OutgoingMail
from tests.factories import MembershipFactory, UserFactory
from tests.mail import deliver
from tests.world import log_in_verified

from .helpers import admin_client, membership_of, messages_of, unlabelled_fields

pytestmark = pytest.mark.django_db

NEW_PERSON = {
    "username": "new-adviser",
    "first_name": "Noor",
    "last_name": "Nieuwland",
    "email": "noor.nieuwland@example.org",
    "language": "",
    "role": Role.COMMUNICATION_ADVISER,
    "agency": "",
}


def test_the_list_shows_the_organisations_people_and_nobody_elses(world, client_for):
    page = admin_client(world, client_for).get(reverse("settings_people")).content.decode()
    assert "ministry-adviser" in page and world.people["adviser"].last_name in page
    assert "ministry-adviser@example.org" in page
    assert "Clips Agency" in page  # the agency member's agency
    assert "nykvarn-admin" not in page and "Ekholm" not in page
    assert unlabelled_fields(page) == []


def test_the_list_filters_active_and_ended_memberships(world, client_for):
    leaver = MembershipFactory(
        organisation=world.ministry,
        user=UserFactory(username="gone-person"),
        is_active=False,
        ended_on=date(2026, 1, 5),
    )
    client = admin_client(world, client_for)
    assert "gone-person" not in client.get(reverse("settings_people")).content.decode()  # active ones first
    ended = client.get(reverse("settings_people"), {"status": "ended"}).content.decode()
    assert "gone-person" in ended and "ministry-adviser" not in ended
    everyone = client.get(reverse("settings_people"), {"status": "all"}).content.decode()
    assert "gone-person" in everyone and "ministry-adviser" in everyone
    assert leaver.user.username in everyone


@pytest.mark.parametrize("persona", ["adviser", "team_social", "campaign_manager", "agency_member", "management"])
def test_other_roles_may_not_manage_people(world, client_for, persona):
    client = client_for(world.people[persona])
    assert client.get(reverse("settings_people")).status_code == 403
    assert client.post(reverse("settings_person_add"), NEW_PERSON).status_code == 403
    target = membership_of(world, "reviewer")
    assert client.post(reverse("settings_person_end", args=[target.pk])).status_code == 403
    assert not User.objects.filter(username="new-adviser").exists()
    assert Membership.objects.get(pk=target.pk).is_active


def test_another_organisations_person_is_not_found(world, client_for):
    client = admin_client(world, client_for)
    foreign = membership_of(world, world.other_admin, world.municipality)
    for name in ("settings_person", "settings_person_second_factor"):
        assert client.get(reverse(name, args=[foreign.pk])).status_code == 404
    changes = ["settings_person_end", "settings_person_reactivate", "settings_person_password_mail"]
    for name in ["settings_person", "settings_person_second_factor", *changes]:
        assert client.post(reverse(name, args=[foreign.pk]), {"role": "adviser"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.is_active and foreign.role == Role.ORGANISATION_ADMIN


def test_adding_a_person_makes_an_account_without_a_password_and_mails_a_link_to_choose_one(
    world, client_for, mailoutbox
):
    admin = world.people["org_admin"]
    response = admin_client(world, client_for).post(reverse("settings_person_add"), NEW_PERSON, follow=True)
    membership = Membership.objects.get(user__username="new-adviser")
    assert response.redirect_chain[-1][0] == reverse("settings_person", args=[membership.pk])
    assert "A mail with a link to choose a password is on its way" in " ".join(messages_of(response))
    person = membership.user
    assert (membership.organisation, membership.role, membership.is_active) == (
        world.ministry,
        Role.COMMUNICATION_ADVISER,
        True,
    )
    assert (person.first_name, person.last_name, person.email) == ("Noor", "Nieuwland", "noor.nieuwland@example.org")
    assert not person.has_usable_password()
    mail = OutgoingMail.objects.get(kind="account.welcome")
    assert (mail.to, mail.organisation, mail.recipient) == (person.email, world.ministry, person)
    event = AuditEvent.objects.get(action="person.added")
    assert (event.actor, event.organisation, event.object_id) == (admin, world.ministry, str(membership.pk))
    assert event.details == {"person": "new-adviser", "role": "adviser", "agency": None}

    # The link in the mail sets the password (Django's reset, which the link works once for).
    deliver()
    assert OutgoingMail.objects.get(pk=mail.pk).body == ""  # the link is a secret: erased once sent
    link = re.search(r"https?://\S+(/accounts/reset/\S+/)", mailoutbox[0].body).group(1)
    assert "new-adviser" in mailoutbox[0].body
    anonymous = Client()
    form_page = anonymous.get(link, follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    new_password = "kettle-orbit-lantern-57"
    anonymous.post(form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    person.refresh_from_db()
    assert person.check_password(new_password)


def test_a_user_name_in_use_is_refused_without_saying_whose_it_is(world, client_for):
    client = admin_client(world, client_for)
    response = client.post(reverse("settings_person_add"), NEW_PERSON | {"username": "NYKVARN-admin"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "This user name is taken. Choose another one." in page
    assert "Nykvarn" not in page and world.municipality.name not in page
    assert 'value="Nieuwland"' in page  # what was typed stays
    assert not Membership.objects.filter(organisation=world.ministry, user__username__iexact="nykvarn-admin").exists()
    assert not OutgoingMail.objects.exists() and not AuditEvent.objects.filter(action="person.added").exists()


def test_an_agency_is_needed_exactly_for_agency_members(world, client_for):
    client = admin_client(world, client_for)
    missing = client.post(reverse("settings_person_add"), NEW_PERSON | {"role": Role.AGENCY_MEMBER})
    assert missing.status_code == 400 and "Choose the agency this person works for." in missing.content.decode()
    needless = client.post(reverse("settings_person_add"), NEW_PERSON | {"agency": world.agency.pk})
    assert needless.status_code == 400 and "Only agency members belong to an agency" in needless.content.decode()
    # Only agencies that work for the ministry are offered; another organisation's agency is not a choice.
    assert world.other_agency.name not in missing.content.decode()
    foreign = client.post(
        reverse("settings_person_add"), NEW_PERSON | {"role": Role.AGENCY_MEMBER, "agency": world.other_agency.pk}
    )
    assert foreign.status_code == 400
    assert not User.objects.filter(username="new-adviser").exists()
    done = client.post(
        reverse("settings_person_add"), NEW_PERSON | {"role": Role.AGENCY_MEMBER, "agency": world.agency.pk}
    )
    assert done.status_code == 302
    assert Membership.objects.get(user__username="new-adviser").agency == world.agency


def test_changing_a_role_is_audited_with_before_and_after(world, client_for):
    reviewer = membership_of(world, "reviewer")
    client = admin_client(world, client_for)
    page = client.get(reverse("settings_person", args=[reviewer.pk])).content.decode()
    assert unlabelled_fields(page) == []
    response = client.post(reverse("settings_person", args=[reviewer.pk]), {"role": Role.CAMPAIGN_MANAGER})
    assert response.status_code == 302
    reviewer.refresh_from_db()
    assert reviewer.role == Role.CAMPAIGN_MANAGER
    event = AuditEvent.objects.get(action="membership.role_changed")
    assert event.details["role"] == {"before": "reviewer", "after": "campaign_manager"}
    assert event.actor == world.people["org_admin"]
    # The same role again changes nothing, and records nothing.
    client.post(reverse("settings_person", args=[reviewer.pk]), {"role": Role.CAMPAIGN_MANAGER})
    assert AuditEvent.objects.filter(action="membership.role_changed").count() == 1


def test_ending_a_leavers_last_membership_switches_the_account_off_and_logs_them_out(world, client_for):
    adviser = world.people["adviser"]
    log_in_verified(Client(), adviser)
    membership = membership_of(world, "adviser")
    response = admin_client(world, client_for).post(reverse("settings_person_end", args=[membership.pk]), follow=True)
    membership.refresh_from_db()
    adviser.refresh_from_db()
    assert not membership.is_active
    assert membership.ended_on == timezone.localdate(timezone.now(), world.ministry.zone)
    assert not adviser.is_active
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(adviser.pk)]
    assert "no active membership, so the account is switched off" in " ".join(messages_of(response))
    event = AuditEvent.objects.get(action="membership.ended")
    assert event.details["account_switched_off"] is True and event.details["person"] == "ministry-adviser"


def test_someone_who_works_elsewhere_too_stays_active_when_one_membership_ends(world, client_for):
    shared = world.shared_agency_member
    membership = membership_of(world, shared)
    admin_client(world, client_for).post(reverse("settings_person_end", args=[membership.pk]))
    shared.refresh_from_db()
    assert not Membership.objects.get(pk=membership.pk).is_active
    assert shared.is_active
    assert AuditEvent.objects.get(action="membership.ended").details["account_switched_off"] is False


def test_the_last_organisation_admin_can_be_neither_ended_nor_demoted(world, client_for):
    admin = world.people["org_admin"]
    own = membership_of(world, "org_admin")
    client = admin_client(world, client_for)
    ended = client.post(reverse("settings_person_end", args=[own.pk]), follow=True)
    assert "last active organisation admin" in " ".join(messages_of(ended))
    demoted = client.post(reverse("settings_person", args=[own.pk]), {"role": Role.TEAM_SOCIAL})
    assert demoted.status_code == 400 and "last active organisation admin" in demoted.content.decode()
    own.refresh_from_db()
    assert own.is_active and own.role == Role.ORGANISATION_ADMIN
    assert not AuditEvent.objects.filter(action__startswith="membership.").exists()
    # With a second admin, the first may step down.
    second = membership_of(world, "team_social")
    client.post(reverse("settings_person", args=[second.pk]), {"role": Role.ORGANISATION_ADMIN})
    response = client.post(reverse("settings_person", args=[own.pk]), {"role": Role.TEAM_SOCIAL})
    assert response.status_code == 302 and response.url == reverse("home")  # no longer theirs to manage
    assert Membership.objects.get(pk=own.pk).role == Role.TEAM_SOCIAL
    assert client_for(admin).get(reverse("settings_index")).status_code == 403


def test_a_membership_is_reactivated_and_a_switched_off_account_comes_back_on(world, client_for):
    adviser = world.people["adviser"]
    membership = membership_of(world, "adviser")
    client = admin_client(world, client_for)
    client.post(reverse("settings_person_end", args=[membership.pk]))
    adviser.refresh_from_db()
    assert not adviser.is_active
    page = client.get(reverse("settings_person", args=[membership.pk])).content.decode()
    assert "Reactivate" in page
    response = client.post(reverse("settings_person_reactivate", args=[membership.pk]), follow=True)
    assert "works here again" in " ".join(messages_of(response))
    membership.refresh_from_db()
    adviser.refresh_from_db()
    assert membership.is_active and membership.ended_on is None and adviser.is_active
    event = AuditEvent.objects.get(action="membership.reactivated")
    assert event.details["account_switched_on"] is True


def test_resetting_a_lost_phone_removes_the_devices_and_is_audited(world, client_for):
    adviser = world.people["adviser"]
    TOTPDevice.objects.create(user=adviser, name="app", confirmed=True)
    second_factor.new_recovery_codes(adviser)
    membership = membership_of(world, "adviser")
    client = admin_client(world, client_for)
    confirm = client.get(reverse("settings_person_second_factor", args=[membership.pk]))
    assert confirm.status_code == 200 and "Reset the second factor" in confirm.content.decode()
    assert TOTPDevice.objects.filter(user=adviser).exists()  # the page only asks
    response = client.post(reverse("settings_person_second_factor", args=[membership.pk]), follow=True)
    assert "set up the authenticator app again at their next log-in" in " ".join(messages_of(response))
    assert not TOTPDevice.objects.filter(user=adviser).exists()
    assert not StaticToken.objects.filter(device__user=adviser).exists()
    event = AuditEvent.objects.get(action="auth.second_factor_reset")
    assert (event.actor, event.object_id, event.organisation) == (
        world.people["org_admin"],
        str(adviser.pk),
        world.ministry,
    )


def test_an_account_shared_with_another_organisation_is_not_one_organisations_to_reset(world, client_for):
    shared = world.shared_agency_member
    TOTPDevice.objects.create(user=shared, name="app", confirmed=True)
    membership = membership_of(world, shared)
    client = admin_client(world, client_for)
    page = client.get(reverse("settings_person", args=[membership.pk])).content.decode()
    assert reverse("settings_person_second_factor", args=[membership.pk]) not in page
    assert client.get(reverse("settings_person_second_factor", args=[membership.pk])).status_code == 403
    assert client.post(reverse("settings_person_second_factor", args=[membership.pk])).status_code == 403
    assert TOTPDevice.objects.filter(user=shared).exists()
    assert not AuditEvent.objects.filter(action="auth.second_factor_reset").exists()


def test_the_password_mail_goes_again_only_to_someone_without_a_password(world, client_for):
    client = admin_client(world, client_for)
    client.post(reverse("settings_person_add"), NEW_PERSON)
    membership = Membership.objects.get(user__username="new-adviser")
    response = client.post(reverse("settings_person_password_mail", args=[membership.pk]), follow=True)
    assert "on its way to noor.nieuwland@example.org" in " ".join(messages_of(response))
    assert OutgoingMail.objects.filter(kind="account.welcome", recipient=membership.user).count() == 2
    assert AuditEvent.objects.filter(action="person.password_mail_sent").count() == 1
    with_password = membership_of(world, "adviser")
    refused = client.post(reverse("settings_person_password_mail", args=[with_password.pk]), follow=True)
    assert "has chosen a password already" in " ".join(messages_of(refused))
    assert not OutgoingMail.objects.filter(recipient=world.people["adviser"]).exists()


def test_the_people_list_takes_as_many_queries_for_many_people_as_for_a_few(world, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = admin_client(world, client_for)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("settings_people"), {"status": "all"}).status_code == 200
        return len(captured)

    queries()  # the first page of a session fills its caches (the inbox count)
    few = queries()
    for _ in range(30):
        MembershipFactory(organisation=world.ministry, role=Role.AGENCY_MEMBER, agency=world.agency)
    assert queries() == few
