"""The outbox: the same news queued once, a reset link erased once sent. What an organisation's admins see of it, and
sending a failed mail again, is in tests/administration/test_mail.py."""

from django.urls import reverse

from core import outbox
from core.models import OutgoingMail
from tests.mail import deliver


def test_the_same_news_is_queued_once(world):
    first = outbox.queue(kind="calendar.at_risk", to="a@example.org", subject="s", body="b", key="news:1")
    again = outbox.queue(kind="calendar.at_risk", to="a@example.org", subject="s", body="b", key="news:1")
    assert first is not None and again is None
    assert OutgoingMail.objects.filter(key="news:1").count() == 1


def test_a_reset_link_is_erased_once_sent(world, client, mailoutbox):
    client.post(reverse("password_reset"), {"email": world.people["adviser"].email})
    deliver()
    assert "/accounts/reset/" in mailoutbox[0].body
    assert OutgoingMail.objects.get(kind="account.password_reset").body == ""
