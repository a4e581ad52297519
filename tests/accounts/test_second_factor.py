"""The second factor for everyone (BIO2 8.5, ASVS V6.3.3): enrolment at the first log-in, a code at every
log-in, recovery codes, throttling and lock-out on the second step too, an organisation policy, a reset by the
organisation admin, and every step in the audit trail."""

from binascii import unhexlify
from datetime import timedelta

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import second_factor
from audit.models import AuditEvent
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def code_for(device: TOTPDevice, step_offset: int = 0) -> str:
    totp = TOTP(unhexlify(device.key), device.step, device.t0, device.digits)
    totp.time = (totp.t() + step_offset) * device.step + device.t0
    return f"{totp.token():06d}"


def password_step(client, username, next_url=""):
    data = {"username": username, "password": TEST_PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data, follow=True)


def test_the_first_log_in_sets_up_the_authenticator_app_and_gives_recovery_codes(world, client, frozen):
    adviser = world.people["adviser"]
    response = password_step(client, adviser.username)
    assert response.redirect_chain[-1][0] == reverse("second_factor_setup")
    page = response.content.decode()
    assert "<svg" in page and "Set up your second step" in page
    device = TOTPDevice.objects.get(user=adviser, confirmed=False)
    assert second_factor.secret_in_groups(device).replace(" ", "") in page.replace(" ", "")
    # Nothing else opens before the second step is done.
    assert client.get(reverse("brief_list")).url.startswith(reverse("second_factor_setup"))
    wrong = client.post(reverse("second_factor_setup"), {"token": "000000"})
    assert wrong.status_code == 400 and "That code is not right" in wrong.content.decode()
    frozen.shift(timedelta(seconds=2))  # a wrong code makes the next try wait a second (django-otp)
    done = client.post(reverse("second_factor_setup"), {"token": code_for(device, 1)}, follow=True)
    codes = done.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert StaticToken.objects.filter(device__user=adviser).count() == 10
    assert client.get(reverse("brief_list")).status_code == 200
    assert client.get(reverse("second_factor_recovery_codes")).status_code == 302  # shown once only
    assert set(AuditEvent.objects.filter(actor=adviser).values_list("action", flat=True)) >= {
        "auth.password_ok",  # the password alone is not "logged in"
        "auth.second_factor_enrolled",
    }
    assert not AuditEvent.objects.filter(actor=adviser, action="auth.login").exists()


@pytest.fixture
def enrolled(world):
    adviser = world.people["adviser"]
    device = TOTPDevice.objects.create(user=adviser, name="app", confirmed=True)
    codes = second_factor.new_recovery_codes(adviser)
    return adviser, device, codes


def test_every_log_in_asks_for_the_code_and_returns_to_where_one_was_going(enrolled, client):
    adviser, device, _ = enrolled
    response = password_step(client, adviser.username, next_url=reverse("brief_list"))
    assert response.redirect_chain[-1][0].startswith(reverse("second_factor"))
    assert response.context["next"] == reverse("brief_list")
    assert 'aria-label="Main menu"' not in response.content.decode()  # nothing else opens yet: no menu either
    done = client.post(reverse("second_factor"), {"token": code_for(device), "next": reverse("brief_list")})
    assert done.status_code == 302 and done.url == reverse("brief_list")
    event = AuditEvent.objects.filter(action="auth.second_factor").latest("sequence")
    assert (event.actor, event.result, event.label) == (adviser, "ok", "Logged in: second step passed")
    # A code works once: the same one again (another session) is refused.
    client.logout()
    password_step(client, adviser.username)
    assert client.post(reverse("second_factor"), {"token": code_for(device)}).status_code == 400


def test_a_recovery_code_works_once(enrolled, client, frozen):
    adviser, _, codes = enrolled
    password_step(client, adviser.username)
    assert client.post(reverse("second_factor"), {"token": codes[0].upper()}).status_code == 302
    client.logout()
    password_step(client, adviser.username)
    assert client.post(reverse("second_factor"), {"token": codes[0]}).status_code == 400
    frozen.shift(timedelta(seconds=2))
    assert client.post(reverse("second_factor"), {"token": codes[1]}).status_code == 302
    assert AuditEvent.objects.filter(action="auth.recovery_code", actor=adviser).count() == 2


def test_wrong_codes_are_throttled_and_lock_the_account_like_wrong_passwords(enrolled, client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    adviser, device, _ = enrolled
    password_step(client, adviser.username)
    client.post(reverse("second_factor"), {"token": "111111"})
    # django-otp slows guessing down: right after a wrong code even the right one waits its turn.
    assert client.post(reverse("second_factor"), {"token": code_for(device)}).status_code == 400
    response = client.post(reverse("second_factor"), {"token": "222222"})
    assert response.status_code == 429 and "Too many failed" in response.content.decode()
    assert "_auth_user_id" not in client.session  # logged out
    again = client.post(reverse("login"), {"username": adviser.username, "password": TEST_PASSWORD})
    assert again.status_code == 429  # the password alone doesn't get past the lock-out either
    refused = AuditEvent.objects.filter(action="auth.second_factor", result="refused", actor=adviser)
    assert refused.count() == 3 and refused.first().label == "Second step refused: wrong code"
    # Each wrong code once, as what it was (no "wrong password" beside it): the one refused log-in is the
    # password tried during the lock-out.
    assert AuditEvent.objects.filter(action="auth.login", result="refused").count() == 1
    assert AuditEvent.objects.filter(action="auth.locked_out").exists()


def test_the_organisation_decides_and_the_default_is_everyone(world, client):
    agency = world.people["agency_member"]
    assert second_factor.required_for(agency)  # agency people too, by default
    world.ministry.second_factor_required = False
    world.ministry.save()
    assert not second_factor.required_for(world.people["adviser"])
    assert second_factor.required_for(world.shared_agency_member)  # Nykvarn still asks it of them
    response = password_step(client, world.people["adviser"].username)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert second_factor.required_for(UserFactory(is_superuser=True))
    assert second_factor.required_for(world.no_membership)


def test_an_organisation_admin_resets_a_lost_phone_and_it_is_audited(enrolled, world, client_for):
    from accounts.models import Membership

    adviser, _, _ = enrolled
    admin = world.people["org_admin"]
    client = client_for(admin)
    membership = Membership.objects.get(user=adviser, organisation=world.ministry)
    response = client.post(reverse("settings_person_second_factor", args=[membership.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=adviser).exists()
    assert not StaticToken.objects.filter(device__user=adviser).exists()
    event = AuditEvent.objects.get(action="auth.second_factor_reset")
    assert (event.actor, event.object_id, event.organisation) == (admin, str(adviser.pk), world.ministry)
    # Someone of another organisation is out of reach: nothing happens to them.
    other = world.other_admin
    TOTPDevice.objects.create(user=other, name="app", confirmed=True)
    theirs = Membership.objects.get(user=other)
    assert client.post(reverse("settings_person_second_factor", args=[theirs.pk])).status_code == 404
    assert TOTPDevice.objects.filter(user=other).exists()
    # After the reset, the adviser's next log-in sets the app up again.
    assert password_step(client_for(None), adviser.username).redirect_chain[-1][0] == reverse("second_factor_setup")


def test_a_failed_log_in_for_an_unknown_name_goes_into_the_platforms_chain(world, client):
    client.post(reverse("login"), {"username": "nobody-here", "password": "x"})
    event = AuditEvent.objects.get(action="auth.login", result="refused")
    assert event.organisation is None and event.details["username"] == "nobody-here"
    assert event.label == "Log-in refused: wrong user name or password"


def test_the_demo_secret_in_the_readme_is_the_one_seed_demo_enrols(db):
    from pathlib import Path

    from home.demo.world import DEMO_TOTP_SECRET, seed_demo_world

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert f"Demo TOTP secret: {DEMO_TOTP_SECRET}" in readme
    seed_demo_world()
    device = TOTPDevice.objects.get(user__username="vws-social")
    assert second_factor.secret_of(device) == DEMO_TOTP_SECRET
