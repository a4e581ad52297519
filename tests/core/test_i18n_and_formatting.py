"""Three UI languages, a per-user language, and numbers, money and dates per locale."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test.signals import template_rendered
from django.urls import reverse
from django.utils import timezone, translation

from accounts.roles import Role
from tests.factories import MembershipFactory, UserFactory
from tests.world import log_in_verified


def render(template, **context):
    return Template("{% load planner %}" + template).render(Context(context))


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "€5,125.00"), ("nl", "€\xa05.125,00"), ("sv", "5\xa0125,00\xa0€")],
)
def test_money_is_formatted_per_locale(language, expected):
    with translation.override(language):
        assert render("{{ amount|money:'EUR' }}", amount=Decimal("5125.00")) == expected


def test_swedish_kronor():
    with translation.override("sv"):
        assert render("{{ amount|money:'SEK' }}", amount=Decimal("6201.25")) == "6\xa0201,25\xa0kr"


@pytest.mark.parametrize(("language", "expected"), [("en", "12.5%"), ("nl", "12,5%"), ("sv", "12,5\xa0%")])
def test_vat_rate_is_formatted_per_locale(language, expected):
    with translation.override(language):
        assert render("{{ rate|percent }}", rate=Decimal("12.50")) == expected


def test_money_of_nonsense_renders_nothing_rather_than_crashing():
    assert render("{{ amount|money:'EUR' }}", amount="not a number") == ""


def test_user_language_wins_over_the_organisations(world, client_for):
    adviser = world.people["adviser"]  # ministry: a Dutch organisation
    adviser.language = ""  # no own choice yet
    adviser.save()
    client = client_for(adviser)
    assert client.get(reverse("home")).headers["Content-Language"] == "nl"
    adviser.language = "sv"
    adviser.save()
    response = client.get(reverse("home"))
    assert response.headers["Content-Language"] == "sv"
    assert '<html lang="sv"' in response.content.decode()


def test_switching_language_is_remembered_for_the_user(world, client_for):
    adviser = world.people["adviser"]
    client = client_for(adviser)
    response = client.post(reverse("set_language"), {"language": "sv", "next": reverse("home")})
    assert response.status_code == 302
    adviser.refresh_from_db()
    assert adviser.language == "sv"
    # A fresh session (another browser) still gets the person's language.
    client.logout()
    log_in_verified(client, adviser)
    assert client.get(reverse("home")).headers["Content-Language"] == "sv"


def test_an_unknown_language_is_ignored(world, client_for):
    adviser = world.people["adviser"]
    client_for(adviser).post(reverse("set_language"), {"language": "xx", "next": "/"})
    adviser.refresh_from_db()
    assert adviser.language == "en"


@pytest.mark.parametrize(
    ("language", "phrase"), [("en", "Waiting for me"), ("nl", "Wacht op mij"), ("sv", "Väntar på mig")]
)
def test_home_page_is_translated(db, client_for, language, phrase):
    membership = MembershipFactory(role=Role.TEAM_SOCIAL, user=UserFactory(language=language))
    response = client_for(membership.user).get(reverse("home"))
    assert phrase in response.content.decode()


def test_dates_use_the_locale_and_the_organisations_time_zone(world, client_for):
    # The agency engagement date is shown per locale on the organisation page.
    client = client_for(world.people["adviser"])
    world.people["adviser"].language = "nl"
    world.people["adviser"].save()
    assert "1 november 2020" in client.get(reverse("organisation_detail")).content.decode()
    world.people["adviser"].language = "en"
    world.people["adviser"].save()
    assert "1 November 2020" in client.get(reverse("organisation_detail")).content.decode()  # en-GB, not en-US


def test_requests_run_in_the_organisations_time_zone(db, client_for):
    membership = MembershipFactory(organisation__time_zone="Europe/Stockholm")
    zones = []

    def record_zone(**kwargs):
        zones.append(timezone.get_current_timezone_name())

    template_rendered.connect(record_zone, dispatch_uid="record-zone")
    try:
        client_for(membership.user).get(reverse("home"))
    finally:
        template_rendered.disconnect(dispatch_uid="record-zone")
    assert zones
    assert set(zones) == {"Europe/Stockholm"}


def test_an_item_that_just_arrived_has_waited_just_now_not_zero_minutes():
    from datetime import UTC, datetime, timedelta

    from django.utils import translation

    from core.templatetags.planner import waiting

    now = datetime(2026, 12, 1, 9, tzinfo=UTC)
    with translation.override("nl"):
        assert waiting(now - timedelta(seconds=20), now) == "zojuist"
        assert waiting(now - timedelta(hours=3), now).replace("\xa0", " ") == "al 3 uur"
    with translation.override("sv"):
        assert waiting(now - timedelta(seconds=20), now) == "nyss"
