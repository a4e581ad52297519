"""A person who may no longer work here is logged out everywhere at once: their sessions are deleted (not just
refused at the next request) when their account is switched off or their last membership ends, and the
``access_ended`` signal lets other apps end what they handed out (the calendar app revokes feed addresses)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db.models.signals import post_save
from django.dispatch import Signal, receiver

from .models import Membership

# sender: the user's class; kwargs: user, and organisation (None: the whole account was switched off).
access_ended = Signal()


def delete_sessions_of(user) -> int:
    """Delete every session of ``user``. Sessions don't index their user, so each one is read: fine for a
    leaver, who is rare."""
    doomed = [
        session.pk
        for session in Session.objects.iterator()
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk)
    ]
    Session.objects.filter(pk__in=doomed).delete()
    return len(doomed)


def switch_off_without_membership(user) -> bool:
    """Switch ``user``'s account off when no active membership is left; True if it was on until now. Nobody is
    active without an organisation: such an account would be invisible to every organisation admin. A superuser
    (the operator) needs no organisation."""
    if user.is_superuser or not user.is_active or Membership.objects.filter(user=user, is_active=True).exists():
        return False
    user.is_active = False
    user.save(update_fields=["is_active"])
    return True


@receiver(post_save, sender=get_user_model(), dispatch_uid="sessions-of-a-switched-off-account")
def _account_saved(sender, instance, created, **kwargs):
    if not created and not instance.is_active:
        delete_sessions_of(instance)
        access_ended.send(sender=sender, user=instance, organisation=None)


@receiver(post_save, sender=Membership, dispatch_uid="sessions-of-an-ended-membership")
def _membership_saved(sender, instance, created, **kwargs):
    if created or instance.is_active:
        return
    user = instance.user
    access_ended.send(sender=user.__class__, user=user, organisation=instance.organisation)
    # Nobody is left active without an organisation: the account goes off with its last membership.
    switch_off_without_membership(user)
