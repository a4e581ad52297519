"""Lock-outs that hold behind a proxy and across addresses, the owner told by mail, and reset mails rationed."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from tests.factories import TEST_PASSWORD
from tests.mail import deliver

PROXY = "10.0.0.1"  # the reverse proxy in front: every request reaches the app from here
ALICE, MALLORY = "203.0.113.5", "198.51.100.7"


def attempt(client, password, *, via_proxy_for=None, forwarded=None, remote="192.0.2.10", username="ministry-adviser"):
    extra = {"REMOTE_ADDR": remote}
    if via_proxy_for is not None:
        extra = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded or via_proxy_for}
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


@pytest.fixture
def behind_a_proxy(settings):
    settings.PROXY_COUNT = 1
    settings.AXES_FAILURE_LIMIT = 5


def test_behind_a_proxy_a_lock_out_is_per_client_not_for_everyone(world, client, behind_a_proxy):
    for _ in range(5):
        attempt(client, "wrong", via_proxy_for=MALLORY)
    assert attempt(client, TEST_PASSWORD, via_proxy_for=MALLORY).status_code == 429
    # Everyone else comes through the same proxy, and still gets in.
    assert attempt(client, TEST_PASSWORD, via_proxy_for=ALICE).status_code == 302
    assert "_auth_user_id" in client.session


def test_behind_a_proxy_the_trail_names_the_client_not_the_proxy(world, client, behind_a_proxy):
    attempt(client, "wrong", via_proxy_for=MALLORY)
    assert AuditEvent.objects.get(action="auth.login", result="refused").origin == MALLORY


def test_a_forged_forwarded_header_neither_hides_nor_frames(world, client, behind_a_proxy):
    # Mallory writes Alice's address into the header herself; the proxy appends the address it really saw.
    for _ in range(5):
        attempt(client, "wrong", via_proxy_for=MALLORY, forwarded=f"{ALICE}, {MALLORY}")
    assert set(AuditEvent.objects.filter(result="refused").values_list("origin", flat=True)) == {MALLORY}
    assert attempt(client, TEST_PASSWORD, via_proxy_for=ALICE).status_code == 302
    assert "_auth_user_id" in client.session


def test_without_a_proxy_the_header_is_ignored(world, client, settings):
    settings.AXES_FAILURE_LIMIT = 5
    for _ in range(5):
        attempt(client, "wrong", forwarded=ALICE, remote=MALLORY, via_proxy_for=None)
    client.post(
        reverse("login"),
        {"username": "ministry-adviser", "password": "wrong"},
        REMOTE_ADDR=MALLORY,
        HTTP_X_FORWARDED_FOR=ALICE,
    )
    assert set(AuditEvent.objects.filter(result="refused").values_list("origin", flat=True)) == {MALLORY}
    assert attempt(client, TEST_PASSWORD, remote=ALICE).status_code == 302
    assert "_auth_user_id" in client.session


def test_an_account_tried_from_many_addresses_is_locked_and_its_owner_told(world, client, settings, mailoutbox):
    settings.AXES_FAILURE_LIMIT = 5
    settings.ACCOUNT_FAILURE_LIMIT = 20
    # 40 wrong passwords from 10 addresses: never 5 from one, so the per-address lock never fires.
    for attempt_number in range(40):
        attempt(client, "wrong", remote=f"192.0.2.{attempt_number % 10 + 1}")
    response = attempt(client, TEST_PASSWORD, remote="192.0.2.200")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    adviser = world.people["adviser"]
    deliver()
    assert [message.to for message in mailoutbox] == [[adviser.email]]  # once, not at every further attempt
    assert "locked" in mailoutbox[0].subject.lower()
    assert "/accounts/password_reset/" in mailoutbox[0].body
    assert AuditEvent.objects.filter(action="auth.locked_out").exists()


def test_a_per_address_lock_out_mails_the_owner_in_their_language(world, client, settings, mailoutbox):
    settings.AXES_FAILURE_LIMIT = 5
    adviser = world.people["adviser"]
    adviser.language = "nl"
    adviser.save(update_fields=["language"])
    for _ in range(5):
        attempt(client, "wrong")
    deliver()
    assert [message.to for message in mailoutbox] == [[adviser.email]]
    assert "geblokkeerd" in mailoutbox[0].subject.lower()


def test_reset_mails_are_rationed_without_telling_whether_an_address_exists(world, client, mailoutbox):
    email = world.people["adviser"].email
    pages = [client.post(reverse("password_reset"), {"email": email}, follow=True) for _ in range(6)]
    deliver()
    assert len(mailoutbox) == 3
    assert all(page.redirect_chain[-1][0] == reverse("password_reset_done") for page in pages)
    # Every request is on record, the mailed and the rationed alike.
    assert AuditEvent.objects.filter(action="account.password_reset_requested").count() == 6


def test_reset_mails_from_one_client_are_rationed_across_addresses(world, client, mailoutbox):
    from tests.factories import MembershipFactory, UserFactory

    people = [UserFactory(email=f"person{n}@example.org") for n in range(22)]
    for person in people:
        MembershipFactory(user=person, organisation=world.ministry)
    for person in people:
        client.post(reverse("password_reset"), {"email": person.email}, REMOTE_ADDR=MALLORY)
    deliver()
    assert len(mailoutbox) == 20


def test_the_owner_is_told_once_per_lock_not_at_every_attempt(world, client, settings, mailoutbox):
    settings.AXES_FAILURE_LIMIT = 5
    for _ in range(9):
        attempt(client, "wrong")
    deliver()
    assert len(mailoutbox) == 1
