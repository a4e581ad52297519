"""The second factor (BIO2 8.5, ASVS V6.3.3): a one-time code from an authenticator app (TOTP), with recovery
codes for when the phone is lost. django-otp keeps the devices, checks the codes, throttles guessing and marks
the session as verified; this module says who must have one and how people enrol, verify and get reset.

Every step is told to the rest of the house through signals (the audit trail records them): accounts sits
below audit and never imports it.
"""

from __future__ import annotations

import secrets
from base64 import b32decode, b32encode
from binascii import unhexlify

import segno
from django.dispatch import Signal
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .access import active_memberships

APP_DEVICE_NAME = "authenticator app"
RECOVERY_DEVICE_NAME = "recovery codes"
RECOVERY_CODES = 10

# sender: the user; kwargs: request (None outside one), and for reset the admin who did it.
enrolled = Signal()
verified = Signal()
failed = Signal()
recovery_code_used = Signal()
reset = Signal()


def required_for(user) -> bool:
    """Must ``user`` use a second factor? Yes, unless every organisation they work for has switched it off
    (each has the policy, on by default, agency people included); always for superusers and for people
    without an organisation."""
    if user.is_superuser:
        return True
    memberships = list(active_memberships(user))
    if not memberships:
        return True
    return any(membership.organisation.second_factor_required for membership in memberships)


def confirmed_app_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def is_enrolled(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_app_device(user) -> TOTPDevice:
    """The unconfirmed device of an enrolment in progress (a new secret the first time)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def secret_of(device: TOTPDevice) -> str:
    """The device's secret as the base32 text an authenticator app takes by hand."""
    return b32encode(unhexlify(device.key)).decode().rstrip("=")


def secret_in_groups(device: TOTPDevice) -> str:
    secret = secret_of(device)
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address (with the issuer from OTP_TOTP_ISSUER) as an inline SVG QR code: no image
    request, nothing for the CSP to allow."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=2)


def confirm(request, device: TOTPDevice, token: str) -> list[str] | None:
    """Finish an enrolment with a first code from the app; returns the new recovery codes (shown once), or
    None when the code is wrong."""
    if not device.verify_token(_digits(token)):
        failed.send(sender=device.user.__class__, user=device.user, request=request, stage="enrolment")
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = new_recovery_codes(device.user)
    otp_login(request, device)
    enrolled.send(sender=device.user.__class__, user=device.user, request=request)
    return codes


def new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with ten new ones (each works once)."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME)
    device.token_set.all().delete()
    codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code.replace("-", "")) for code in codes)
    return codes


def verify(request, token: str) -> bool:
    """The second step of a log-in: a code from the app, or a recovery code. django-otp throttles each device
    after a wrong code (1, 2, 4, … seconds); the caller counts failures towards the lock-out."""
    user = request.user
    app = confirmed_app_device(user)
    digits = _digits(token)
    if app is not None and digits.isdigit() and len(digits) == 6:
        allowed, _ = app.verify_is_allowed()
        if allowed and app.verify_token(digits):
            otp_login(request, app)
            verified.send(sender=user.__class__, user=user, request=request, method="app")
            return True
    else:
        recovery = StaticDevice.objects.filter(user=user, name=RECOVERY_DEVICE_NAME).first()
        compact = token.replace("-", "").replace(" ", "").lower()
        if recovery is not None and recovery.verify_is_allowed()[0] and recovery.verify_token(compact):
            otp_login(request, recovery)
            recovery_code_used.send(sender=user.__class__, user=user, request=request)
            return True
    failed.send(sender=user.__class__, user=user, request=request, stage="log-in")
    return False


def reset_devices(user, *, by, request=None) -> int:
    """An organisation admin resets someone's second factor (a lost phone): every device goes; they enrol
    again at their next log-in."""
    removed = 0
    for device in devices_for_user(user, confirmed=None):
        device.delete()
        removed += 1
    reset.send(sender=user.__class__, user=user, request=request, by=by)
    return removed


def enrol_with_secret(user, secret_base32: str) -> TOTPDevice:
    """Enrol ``user`` with a given secret (the demo's shared one: never in production)."""
    padded = secret_base32 + "=" * (-len(secret_base32) % 8)
    key = b32decode(padded).hex()
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, key=key, confirmed=True)


def _digits(token: str) -> str:
    return "".join(ch for ch in token if not ch.isspace())


def _recovery_code() -> str:
    raw = secrets.token_hex(5)  # 40 bits: 10 hex characters, shown as xxxxx-xxxxx
    return f"{raw[:5]}-{raw[5:]}"
