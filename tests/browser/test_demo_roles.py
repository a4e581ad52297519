"""Each demo role logs in, sees its home page, switches language; axe finds nothing on any page."""

from urllib.parse import urlparse

import pytest

from accounts.models import User
from home.demo.world import AGENCY_USERNAME, ORGANISATIONS, ROLE_USERS, seed_demo_world

from .conftest import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_USERS = [f"{slug}-{suffix}" for slug in ORGANISATIONS for suffix in ROLE_USERS] + [AGENCY_USERNAME]
WELCOME = {"en": "Welcome", "nl": "Welkom", "sv": "Välkommen"}

# axe runs once per distinct page and language, not once per role: the roles still visit every page of
# their navigation (and each must answer with one heading), but a page already checked is not checked again.
# The home page is different per role (what waits for whom), so it counts as a page per role.
_CHECKED: set[tuple] = set()


def accessible_once(page, role):
    path = urlparse(page.url).path
    key = (path, page.locator("html").get_attribute("lang"), role if path == "/" else None)
    if key not in _CHECKED:
        _CHECKED.add(key)
        assert_accessible(page)


def switch_language(page, language):
    page.select_option("#language-switch", language)
    page.locator("form:has(#language-switch) button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == language


@pytest.mark.parametrize("username", DEMO_USERS)
def test_demo_role_logs_in_sees_home_and_switches_language(page, username):
    seed_demo_world()
    user = User.objects.get(username=username)
    log_in(page, username, check=not _CHECKED)

    language = page.locator("html").get_attribute("lang")
    assert language == (user.language or "nl")  # the agency person follows the ministry's language
    assert WELCOME[language] in page.locator("h1").inner_text()
    accessible_once(page, user.memberships.first().role)

    # Every page in the role's navigation (Django's own admin excepted) passes axe.
    hrefs = "links => links.map(a => a.getAttribute('href'))"
    targets = page.locator("nav[aria-label] a").evaluate_all(hrefs)
    assert len(targets) >= 3
    for target in targets:
        if target.startswith("/admin/"):
            continue
        page.goto(target)
        assert page.locator("h1").count() == 1, target
        accessible_once(page, user.memberships.first().role)
    page.goto("/")

    others = [code for code in ("en", "nl", "sv") if code != language]
    for other in others:
        switch_language(page, other)
        assert WELCOME[other] in page.locator("h1").inner_text()
        accessible_once(page, user.memberships.first().role)

    user.refresh_from_db()
    assert user.language == others[-1]  # the switch is kept in the person's profile


def test_anonymous_pages_are_accessible(page):
    for path in ("/accounts/login/", "/accounts/password_reset/"):
        page.goto(path)
        assert_accessible(page)
    switch_language(page, "sv")
    assert page.locator("h1").inner_text() != "Log in to TikTok Planner"
    assert_accessible(page)


def test_the_accessibility_check_can_fail(page):
    """Guard against a check that passes vacuously: a page with known violations must be reported."""
    page.set_content('<html><body><img src="x.png"><input type="text"></body></html>')
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page)
