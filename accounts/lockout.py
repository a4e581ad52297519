"""Lock-outs beyond django-axes' per name-and-address limit: an account tried from many addresses is locked as a
whole for the cool-off time, and the owner of a locked account gets a mail (maybe it wasn't them).

The count lives in the cache (it expires by itself after the cool-off); the lock is checked by an
authentication backend placed before the password check, so a locked account's right password doesn't open it.
"""

from __future__ import annotations

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver

from core import counters, outbox


def _cooloff_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def _key(username: str) -> str:
    return f"account-failures-{username.lower()}"


def is_locked(username: str) -> bool:
    return bool(username) and counters.get(f"account-locked-{username.lower()}") is not None


class AccountLockBackend:
    """Refuses every log-in to a locked account (and makes django-axes show its lock-out page)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username and is_locked(username):
            if request is not None:
                request.axes_locked_out = True
            raise PermissionDenied("This account is locked for a while after too many failed log-ins.")
        return None

    # No get_user(): this backend never logs anyone in, so no session names it (and force_login passes it by).


@receiver(user_login_failed, dispatch_uid="account-failures")
def _count_failure(sender, credentials, request=None, **kwargs):
    username = str((credentials or {}).get("username", ""))
    if not username or is_locked(username):
        return
    failures = counters.hit(_key(username), _cooloff_seconds())
    if failures is not None and failures >= settings.ACCOUNT_FAILURE_LIMIT:
        counters.put(f"account-locked-{username.lower()}", True, _cooloff_seconds())
        user_locked_out.send(sender=__name__, request=request, username=username, ip_address=None)


@receiver(user_locked_out, dispatch_uid="account-locked-mail")
def _tell_the_owner(sender, request, username, ip_address, **kwargs):
    """Mail the account's owner: if it wasn't them, they should know (and may reset their password)."""
    person = get_user_model().objects.filter(username=username, is_active=True).exclude(email="").first()
    if person is None or not counters.set_once(f"account-lock-mailed-{username.lower()}", True, _cooloff_seconds()):
        return  # nobody to tell, or told already during this lock
    membership = person.memberships.filter(is_active=True).select_related("organisation").first()
    outbox.send(
        kind="account.locked",
        template="registration/email/locked",
        context={
            "person": person,
            "minutes": _cooloff_seconds() // 60,
            "address": ip_address or "",
            "reset_url": settings.SITE_URL.rstrip("/") + "/accounts/password_reset/",
        },
        person=person,
        organisation=membership.organisation if membership else None,
    )
