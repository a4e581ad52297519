"""The settings' front page and the way there, and Django's admin, which is now the operator's only."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.world import ROLE_PERSONAS

from .helpers import admin_client

pytestmark = pytest.mark.django_db

SECTIONS = ["settings_people", "settings_channels", "settings_agencies", "settings_chains", "settings_mail"]


def test_the_front_page_links_to_every_section(world, client_for):
    page = admin_client(world, client_for).get(reverse("settings_index")).content.decode()
    for name in SECTIONS:
        assert f'href="{reverse(name)}"' in page


def test_the_menu_and_home_page_lead_organisation_admins_to_the_settings_not_to_the_admin(world, client_for):
    settings_link = f'href="{reverse("settings_index")}"'
    admin_link = f'href="{reverse("admin:index")}"'
    home = admin_client(world, client_for).get(reverse("home")).content.decode()
    assert home.count(settings_link) == 2  # the menu, and "what's next" on the home page
    assert admin_link not in home
    for persona in set(ROLE_PERSONAS.values()) - {"org_admin"}:
        assert settings_link not in client_for(world.people[persona]).get(reverse("home")).content.decode()


@pytest.mark.parametrize("persona", sorted(set(ROLE_PERSONAS.values()) - {"org_admin"}))
def test_only_organisation_admins_open_the_settings(world, client_for, persona):
    client = client_for(world.people[persona])
    for name in ["settings_index", *SECTIONS]:
        assert client.get(reverse(name)).status_code == 403, name


def test_organisation_admins_get_a_403_in_djangos_admin_and_the_operator_gets_in(world, client_for):
    for name in ("admin:index", "admin:accounts_membership_changelist", "admin:accounts_user_changelist"):
        assert admin_client(world, client_for).get(reverse(name)).status_code == 403
    operator = UserFactory(username="operator", is_superuser=True, is_staff=True)
    client = client_for(operator)
    assert client.get(reverse("admin:index")).status_code == 200
    assert f'href="{reverse("admin:index")}"' in client.get(reverse("home")).content.decode()  # in its menu
