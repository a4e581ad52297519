"""Logging in, the per-role home page, and throttling of failed log-ins (BIO2)."""

import pytest
from django.urls import reverse

from accounts.roles import ROLE_SUMMARIES, Role
from tests.factories import TEST_PASSWORD
from tests.mail import deliver
from tests.world import ROLE_PERSONAS


def test_login_with_the_right_password_goes_on_to_the_second_step(world, client):
    response = client.post(reverse("login"), {"username": "ministry-adviser", "password": TEST_PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("second_factor_setup")
    assert response.context["user"].username == "ministry-adviser"


def test_a_wrong_password_keeps_the_username_and_explains(world, client):
    response = client.post(reverse("login"), {"username": "ministry-adviser", "password": "wrong"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="ministry-adviser"' in body
    assert 'role="alert"' in body


def test_five_failures_lock_the_account_for_that_address(world, client, settings):
    settings.AXES_FAILURE_LIMIT = 5
    for _ in range(5):
        client.post(reverse("login"), {"username": "ministry-adviser", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "ministry-adviser", "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert "Too many failed log-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(("role", "persona"), list(ROLE_PERSONAS.items()))
def test_each_role_gets_its_own_home_page(world, client_for, role, persona):
    response = client_for(world.people[persona]).get(reverse("home"))
    assert response.status_code == 200
    body = response.content.decode()
    assert str(ROLE_SUMMARIES[role]) in body.replace("&#x27;", "'")


def test_navigation_shows_the_organisation_settings_only_to_organisation_admins(world, client_for):
    settings_link = f'href="{reverse("settings_index")}"'
    admin_link = f'href="{reverse("admin:index")}"'  # Django's admin: the operator's only
    home = client_for(world.people["org_admin"]).get(reverse("home")).content.decode()
    assert settings_link in home and admin_link not in home
    for persona in ("adviser", "team_social", "agency_member", "management"):
        page = client_for(world.people[persona]).get(reverse("home")).content.decode()
        assert settings_link not in page and admin_link not in page


def test_agency_members_do_not_see_the_organisations_staff(world, client_for):
    body = client_for(world.people["agency_member"]).get(reverse("organisation_detail")).content.decode()
    assert "ministry-adviser" not in body
    assert world.people["adviser"].last_name not in body
    body = client_for(world.people["management"]).get(reverse("organisation_detail")).content.decode()
    assert world.people["adviser"].last_name in body


def test_person_in_two_organisations_switches_between_them(world, client_for):
    client = client_for(world.shared_agency_member)
    assert client.get(reverse("home")).context["membership"].organisation == world.ministry
    response = client.post(
        reverse("switch_organisation"), {"organisation": world.municipality.pk, "next": reverse("home")}
    )
    assert response.url == reverse("home")
    home = client.get(reverse("home"))
    assert home.context["membership"].organisation == world.municipality
    assert home.headers["Content-Language"] == "sv"  # no own choice: the organisation's language


def test_switch_refuses_an_open_redirect(world, client_for):
    client = client_for(world.shared_agency_member)
    response = client.post(
        reverse("switch_organisation"), {"organisation": world.municipality.pk, "next": "https://evil.example/"}
    )
    assert response.url == reverse("home")


def test_a_person_without_a_role_is_told_whom_to_ask(world, client_for):
    body = client_for(world.no_membership).get(reverse("home")).content.decode()
    assert "not a member of any organisation" in body


def test_roles_are_all_covered_by_personas():
    assert set(ROLE_PERSONAS) == set(Role)


def test_password_reset_mails_a_link_only_to_a_known_address(world, client, mailoutbox):
    client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    deliver()
    assert mailoutbox == []
    response = client.post(reverse("password_reset"), {"email": world.people["adviser"].email}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("password_reset_done")
    deliver()
    assert [message.to for message in mailoutbox] == [[world.people["adviser"].email]]
    assert "/accounts/reset/" in mailoutbox[0].body
