"""Every URL by every role: the expected status. A new URL without an entry here fails the suite."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.admin import admin_site

PERSONAS = [
    "anonymous",
    "no_membership",
    "adviser",
    "team_social",
    "campaign_manager",
    "agency_member",
    "management",
    "org_admin",
]
MEMBERS = PERSONAS[2:]
LOGGED_IN = PERSONAS[1:]


def expect(default, **per_persona):
    table = dict.fromkeys(PERSONAS, default)
    for persona, status in per_persona.items():
        table[persona] = status
    return table


LOGIN_REQUIRED = expect(200, anonymous=302)
# A page for organisation members: a logged-in person without any organisation may not use it.
MEMBERS_ONLY = expect(200, anonymous=302, no_membership=403)

# url name → (method, kwargs builder, expected status per persona)
MATRIX = {
    "home": ("get", None, LOGIN_REQUIRED),
    "health": ("get", None, expect(200)),
    "set_language": ("post", None, expect(302)),
    "account_settings": ("get", None, LOGIN_REQUIRED),
    "login": ("get", None, expect(302, anonymous=200)),
    "logout": ("post", None, expect(302)),
    "password_change": ("get", None, LOGIN_REQUIRED),
    "password_change_done": ("get", None, LOGIN_REQUIRED),
    "password_reset": ("get", None, expect(200)),
    "password_reset_done": ("get", None, expect(200)),
    "password_reset_confirm": ("get", lambda w: {"uidb64": "MQ", "token": "set-password"}, expect(200)),
    "password_reset_complete": ("get", None, expect(200)),
    "organisation_detail": ("get", None, MEMBERS_ONLY),
    # Switching to an organisation you don't belong to is "not found".
    "switch_organisation": ("post", None, expect(302, no_membership=404)),
    "channel_detail": ("get", lambda w: {"pk": w.channel.pk}, expect(200, anonymous=302, no_membership=404)),
}


def _url_names(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # generated per registered model: covered by test_admin_* below
            yield from _url_names(pattern.url_patterns, prefix)
        elif isinstance(pattern, URLPattern):
            yield prefix + pattern.name


def test_every_url_has_an_entry_in_the_matrix():
    names = set(_url_names(get_resolver().url_patterns))
    assert names - MATRIX.keys() == set(), "add these URLs to MATRIX"
    assert MATRIX.keys() - names == set(), "these MATRIX entries no longer exist"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_access_matrix(world, client_for, url_name, persona):
    method, kwargs, expected = MATRIX[url_name]
    client = client_for(world.person(persona))
    url = reverse(url_name, kwargs=kwargs(world) if kwargs else None)
    data = {}
    if url_name == "set_language":
        data = {"language": "sv", "next": "/"}
    elif url_name == "switch_organisation":
        data = {"organisation": world.ministry.pk, "next": "/"}
    response = getattr(client, method)(url, data)
    assert response.status_code == expected[persona], f"{persona} {method.upper()} {url}"


@pytest.mark.parametrize("persona", MEMBERS)
def test_another_organisations_channel_is_not_found(world, client_for, persona):
    client = client_for(world.person(persona))
    response = client.get(reverse("channel_detail", kwargs={"pk": world.other_channel.pk}))
    assert response.status_code == 404


def test_agency_member_of_both_organisations_sees_both_channels(world, client_for):
    client = client_for(world.shared_agency_member)
    for channel in (world.channel, world.other_channel):
        assert client.get(reverse("channel_detail", kwargs={"pk": channel.pk})).status_code == 200


def _admin_urls():
    yield "admin:index", None
    for model in admin_site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        yield "admin:{}_{}_changelist".format(*info), None


ADMIN_EXPECTED = expect(403, anonymous=302, org_admin=200)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("url_name", "kwargs"), list(_admin_urls()))
def test_admin_is_for_organisation_admins_only(world, client_for, url_name, kwargs, persona):
    client = client_for(world.person(persona))
    response = client.get(reverse(url_name, kwargs=kwargs))
    assert response.status_code == ADMIN_EXPECTED[persona]
    if persona == "anonymous":
        assert response.url.startswith(reverse("admin:login")) or response.url.startswith(reverse("login"))
