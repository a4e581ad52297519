"""What the audit trail hears about without being called: logging in and out (Django's signals), lock-outs
(django-axes), every step of the second factor (accounts.second_factor), and changes to one's own account.
Each goes into the chain of every organisation the person works for (the platform's chain when none)."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts import second_factor
from accounts import signals as account_signals
from accounts.access import active_memberships

from .actions import AuditAction, Result
from .trail import Origin, record


def record_about_person(user, action: str, *, request=None, result: str = Result.OK, actor=None, **details) -> None:
    """One event per organisation ``user`` works for, or one in the platform's chain."""
    organisations = [membership.organisation for membership in active_memberships(user)] if user else []
    origin = Origin.from_request(request) if request is not None else None
    for organisation in organisations or [None]:
        record(
            organisation=organisation,
            actor=actor if actor is not None else user,
            action=action,
            obj=user,
            origin=origin,
            result=result,
            details=details,
        )


def _user_named(username: str):
    return get_user_model().objects.filter(username=username).first() if username else None


@receiver(user_logged_in, dispatch_uid="audit-login")
def _logged_in(sender, request, user, **kwargs):
    # With a second factor, the password is only the first step: "logged in" is written when the second passes.
    action = AuditAction.PASSWORD_ACCEPTED if second_factor.required_for(user) else AuditAction.LOGIN
    record_about_person(user, action, request=request)


@receiver(user_logged_out, dispatch_uid="audit-logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record_about_person(user, AuditAction.LOGOUT, request=request)


@receiver(user_login_failed, dispatch_uid="audit-login-failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    if sender == second_factor.__name__:
        return  # a wrong second-step code: recorded as such below
    username = str((credentials or {}).get("username", ""))[:150]
    person = _user_named(username)
    if person is None:
        # No such account: recorded in the platform's chain, with the name that was tried.
        record(
            organisation=None,
            actor=None,
            action=AuditAction.LOGIN,
            obj=get_user_model()(pk=0, username=username),
            origin=Origin.from_request(request) if request is not None else None,
            result=Result.REFUSED,
            details={"username": username},
        )
        return
    record_about_person(person, AuditAction.LOGIN, request=request, result=Result.REFUSED, actor=None)


@receiver(user_locked_out, dispatch_uid="audit-locked-out")
def _locked_out(sender, request, username, ip_address, **kwargs):
    person = _user_named(username)
    record_about_person(person, AuditAction.LOCKED_OUT, request=request, actor=None, username=username)


@receiver(second_factor.verified, dispatch_uid="audit-second-factor")
def _second_factor_passed(sender, user, request, method, **kwargs):
    record_about_person(user, AuditAction.SECOND_FACTOR, request=request, method=method)


@receiver(second_factor.failed, dispatch_uid="audit-second-factor-failed")
def _second_factor_failed(sender, user, request, stage, **kwargs):
    record_about_person(user, AuditAction.SECOND_FACTOR, request=request, result=Result.REFUSED, stage=stage)


@receiver(second_factor.recovery_code_used, dispatch_uid="audit-recovery-code")
def _recovery_code_used(sender, user, request, **kwargs):
    record_about_person(user, AuditAction.RECOVERY_CODE_USED, request=request)


@receiver(second_factor.enrolled, dispatch_uid="audit-enrolled")
def _enrolled(sender, user, request, **kwargs):
    record_about_person(user, AuditAction.SECOND_FACTOR_ENROLLED, request=request)


@receiver(second_factor.reset, dispatch_uid="audit-second-factor-reset")
def _reset(sender, user, request, by, **kwargs):
    record_about_person(user, AuditAction.SECOND_FACTOR_RESET, request=request, actor=by)


@receiver(account_signals.account_changed, dispatch_uid="audit-account-changed")
def _account_changed(sender, user, request, fields, **kwargs):
    record_about_person(user, AuditAction.ACCOUNT_CHANGED, request=request, fields=fields)


@receiver(account_signals.password_changed, dispatch_uid="audit-password-changed")
def _password_changed(sender, user, request, **kwargs):
    record_about_person(user, AuditAction.PASSWORD_CHANGED, request=request)


@receiver(account_signals.password_reset_requested, dispatch_uid="audit-password-reset")
def _password_reset_requested(sender, email, request, **kwargs):
    person = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
    if person is not None:
        record_about_person(person, AuditAction.PASSWORD_RESET_REQUESTED, request=request, actor=None)
