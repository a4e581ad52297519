"""Passwords an attacker doesn't guess first, sessions that end (idle, switched off, a leaver), and every change to
one's own account on record."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Membership
from audit.models import AuditEvent
from tests.factories import TEST_PASSWORD
from tests.world import STAGED_AT, log_in_verified


@pytest.mark.parametrize(
    "password",
    [
        "Welkom2026!",  # the welcome mail's word
        "Zomer2026!!xy",
        "Sommar-2026-xyz",
        "MinistryQ8r!2026",  # the organisation's name
        "short-1A!",  # under twelve characters
        "password1234",  # a common password
    ],
)
def test_guessable_passwords_are_refused(world, password):
    with pytest.raises(ValidationError):
        validate_password(password, world.people["adviser"])


def test_a_long_unrelated_passphrase_is_accepted(world):
    validate_password("kettle-orbit-lantern-57", world.people["adviser"])


def test_changing_ones_password_says_why_a_weak_one_is_refused_and_is_audited(world, client_for):
    client = client_for(world.people["adviser"])
    weak = {"old_password": TEST_PASSWORD, "new_password1": "Welkom2026!!", "new_password2": "Welkom2026!!"}
    response = client.post(reverse("password_change"), weak)
    assert response.status_code == 200
    assert "first words an attacker tries" in response.content.decode().replace("&#x27;", "'")
    new = "kettle-orbit-lantern-57"
    strong = {"old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new}
    assert client.post(reverse("password_change"), strong).status_code == 302
    event = AuditEvent.objects.get(action="account.password_changed")
    assert (event.actor, event.organisation) == (world.people["adviser"], world.ministry)


def test_changing_ones_own_settings_is_audited_with_the_fields_not_the_values(world, client_for):
    adviser = world.people["adviser"]
    client = client_for(adviser)
    client.post(
        reverse("account_settings"),
        {
            "first_name": adviser.first_name,
            "last_name": "Visser-de Groot",
            "email": "a.visser@example.org",
            "language": adviser.language,
        },
    )
    event = AuditEvent.objects.get(action="account.changed")
    assert event.details["fields"] == ["email", "last_name"]
    assert "Visser-de Groot" not in str(event.details)


def test_an_idle_session_ends_after_the_inactivity_timeout(world, client, settings):
    settings.SESSION_INACTIVITY_MINUTES = 30
    with time_machine.travel(STAGED_AT, tick=False) as traveller:
        log_in_verified(client, world.people["adviser"])
        assert client.get(reverse("brief_list")).status_code == 200
        traveller.shift(timedelta(minutes=29))
        assert client.get(reverse("brief_list")).status_code == 200  # still at work: the clock starts again
        traveller.shift(timedelta(minutes=29))
        assert client.get(reverse("brief_list")).status_code == 200
        traveller.shift(timedelta(minutes=31))
        response = client.get(reverse("brief_list"))
        assert response.status_code == 302
        assert response.url == f"{reverse('login')}?next=%2Fbriefs%2F"
        assert "_auth_user_id" not in client.session


def sessions_of(user) -> int:
    return sum(1 for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk))


def test_switching_an_account_off_deletes_its_sessions(world, client_for):
    from django.test import Client

    adviser = world.people["adviser"]
    log_in_verified(Client(), adviser)
    log_in_verified(Client(), adviser)
    log_in_verified(Client(), world.people["team_social"])
    assert sessions_of(adviser) == 2
    # The organisation admin ends the adviser's only membership (the organisation's settings), which switches the
    # account off.
    membership = Membership.objects.get(user=adviser)
    client_for(world.people["org_admin"]).post(reverse("settings_person_end", args=[membership.pk]))
    adviser.refresh_from_db()
    assert not adviser.is_active
    assert sessions_of(adviser) == 0
    assert sessions_of(world.people["team_social"]) == 1


@pytest.fixture
def leaver_with_a_feed(world, frozen):
    from scheduling import services as scheduling

    social = world.people["team_social"]
    token = scheduling.feed_token_regenerate(actor=social, channel=world.channel)
    return social, token


def test_a_leavers_last_membership_ending_switches_the_account_off_and_ends_what_they_handed_out(
    world, client, leaver_with_a_feed
):
    from datetime import date

    social, token = leaver_with_a_feed
    feed_url = reverse("calendar_feed", args=[token.token])
    assert client.get(feed_url).status_code == 200
    log_in_verified(client.__class__(), social)
    membership = Membership.objects.get(user=social)
    membership.is_active = False
    membership.ended_on = date(2026, 11, 24)
    membership.save()
    social.refresh_from_db()
    assert not social.is_active  # nobody is left active without an organisation
    assert sessions_of(social) == 0
    assert client.get(feed_url).status_code == 404  # the calendar address they made dies with their access
    revoked = AuditEvent.objects.filter(action="feed.revoked").latest("sequence")
    assert revoked.actor is None and revoked.origin == "job:access-ended"


def test_a_person_with_another_active_membership_stays_active(world):
    from datetime import date

    shared = world.shared_agency_member
    membership = Membership.objects.get(user=shared, organisation=world.ministry)
    membership.is_active = False
    membership.ended_on = date(2026, 11, 24)
    membership.save()
    shared.refresh_from_db()
    assert shared.is_active


def test_an_account_made_without_a_membership_is_switched_off(world, client_for):
    from tests.factories import UserFactory

    operator = UserFactory(username="operator", is_superuser=True, is_staff=True)
    client = client_for(operator)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {"username": "nobodys-person", "usable_password": "true", "password1": "kettle-orbit-lantern-57",
         "password2": "kettle-orbit-lantern-57", "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"},
        follow=True,
    )  # fmt: skip
    from accounts.models import User

    person = User.objects.get(username="nobodys-person")
    assert not person.is_active
    assert "no active membership" in response.content.decode()


def test_the_owner_hears_of_a_new_address_at_the_old_one_and_of_a_new_password(world, client_for, mailoutbox):
    from tests.mail import deliver

    adviser = world.people["adviser"]
    old = adviser.email
    client = client_for(adviser)
    fields = {"first_name": adviser.first_name, "last_name": adviser.last_name, "language": adviser.language}
    taken = client.post(reverse("account_settings"), fields | {"email": world.people["team_social"].email.upper()})
    assert taken.status_code == 200 and "Another account uses this address" in taken.content.decode()
    empty = client.post(reverse("account_settings"), fields | {"email": ""})
    assert empty.status_code == 200 and "This field is required" in empty.content.decode()
    client.post(reverse("account_settings"), fields | {"email": "anouk.new@example.org"})
    new = "kettle-orbit-lantern-57"
    client.post(reverse("password_change"), {"old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new})
    deliver()
    told = {(m.to[0], m.subject) for m in mailoutbox}
    assert (old, "The e-mail address of your TikTok Planner account was changed") in told
    assert ("anouk.new@example.org", "The password of your TikTok Planner account was changed") in told


def test_ending_someones_last_membership_says_the_account_is_off(world, client_for):
    adviser = world.people["adviser"]
    membership = Membership.objects.get(user=adviser)
    response = client_for(world.people["org_admin"]).post(
        reverse("settings_person_end", args=[membership.pk]), follow=True
    )
    adviser.refresh_from_db()
    assert not adviser.is_active
    assert "no active membership, so the account is switched off" in response.content.decode()


def test_ending_someones_last_membership_in_the_admin_says_the_account_is_off(world, client_for):
    from tests.factories import UserFactory

    adviser = world.people["adviser"]
    membership = Membership.objects.get(user=adviser)
    operator = UserFactory(username="operator", is_superuser=True, is_staff=True)
    response = client_for(operator).post(
        reverse("admin:accounts_user_change", args=[adviser.pk]),
        {"username": adviser.username, "first_name": adviser.first_name, "last_name": adviser.last_name,
         "email": adviser.email, "is_active": "on",
         "memberships-TOTAL_FORMS": "1", "memberships-INITIAL_FORMS": "1", "memberships-MIN_NUM_FORMS": "0",
         "memberships-MAX_NUM_FORMS": "1000", "memberships-0-id": membership.pk, "memberships-0-user": adviser.pk,
         "memberships-0-organisation": world.ministry.pk, "memberships-0-role": membership.role,
         "memberships-0-ended_on": "2026-11-24"},
        follow=True,
    )  # fmt: skip
    adviser.refresh_from_db()
    assert not adviser.is_active
    assert "no active membership, so the account is switched off" in response.content.decode()
