"""The demo world: the ministry and the municipality from the seed documents, one agency, and one
demo person per role in each organisation. Used by ``manage.py seed_demo`` and by the tests.

Names of people are made up on purpose: the seeds' real names are redacted (Woo 5.1.2e).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import second_factor
from accounts.models import Agency, AgencyEngagement, Channel, Country, Currency, Membership, Organisation, User
from accounts.roles import Role

ORGANISATIONS = {
    "vws": {
        "name": "Ministerie van Volksgezondheid, Welzijn en Sport (demo)",
        "country": Country.NETHERLANDS,
        "language": "nl",
        "time_zone": "Europe/Amsterdam",
        "currency": Currency.EUR,
        "vat_rate": Decimal("21.00"),
        "channels": [("minvws", "Ministerie van VWS")],
        "agency_since": date(2020, 11, 1),
    },
    "nykvarn": {
        "name": "Nykvarns kommun (demo)",
        "country": Country.SWEDEN,
        "language": "sv",
        "time_zone": "Europe/Stockholm",
        "currency": Currency.SEK,
        "vat_rate": Decimal("25.00"),
        "channels": [("nykvarnskommun", "Nykvarns kommun")],
        "agency_since": date(2020, 5, 1),
    },
}

# The one documented demo password (README). seed_demo refuses to run in production.
DEMO_PASSWORD = "planner-demo-2026"
# Every demo user's authenticator app has this secret (README's demo table; make run prints it): add it to an
# app once and it gives the codes for all of them. Demo only: real people each enrol with their own.
DEMO_TOTP_SECRET = "TIKTOKPLANNERDEMOSECRETXYZ234567"

AGENCY_NAME = "Korte Clips Bureau (demo)"

# username suffix → role. The people's names are made up (per organisation, below).
ROLE_USERS = {
    "adviser": Role.COMMUNICATION_ADVISER,
    "social": Role.TEAM_SOCIAL,
    "campaign": Role.CAMPAIGN_MANAGER,
    "mt": Role.MANAGEMENT,
    "admin": Role.ORGANISATION_ADMIN,
    "reviewer": Role.REVIEWER,
}
DEMO_NAMES = {
    "vws": {
        "adviser": ("Sanne", "Verhoeven"),
        "social": ("Daan", "Kuipers"),
        "campaign": ("Fleur", "Brouwer"),
        "mt": ("Pieter", "Dijkman"),
        "admin": ("Ilse", "Postma"),
        "reviewer": ("Ruben", "Hoekstra"),
    },
    "nykvarn": {
        "adviser": ("Elin", "Sjöberg"),
        "social": ("Oskar", "Lindqvist"),
        "campaign": ("Maja", "Holmgren"),
        "mt": ("Henrik", "Ekström"),
        "admin": ("Karin", "Wallin"),
        "reviewer": ("Jonas", "Berglund"),
    },
}
AGENCY_NAMES = ("Mila", "Verbeek")
AGENCY_USERNAME = "agency"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    organisations: str
    role: str


@transaction.atomic
def seed_demo_world() -> list[DemoLogin]:
    """Create or update the demo world; running it twice changes nothing the second time."""
    agency, _ = Agency.objects.get_or_create(name=AGENCY_NAME)
    agency_user = _demo_user(AGENCY_USERNAME, *AGENCY_NAMES, "")
    logins = []
    for slug, spec in ORGANISATIONS.items():
        organisation, _ = Organisation.objects.update_or_create(
            slug=slug,
            defaults={key: spec[key] for key in ("name", "country", "language", "time_zone", "currency", "vat_rate")},
        )
        for handle, display_name in spec["channels"]:
            Channel.objects.update_or_create(
                handle=handle, defaults={"organisation": organisation, "display_name": display_name}
            )
        AgencyEngagement.objects.update_or_create(
            agency=agency, organisation=organisation, defaults={"since": spec["agency_since"], "is_active": True}
        )
        for suffix, role in ROLE_USERS.items():
            user = _demo_user(f"{slug}-{suffix}", *DEMO_NAMES[slug][suffix], spec["language"])
            Membership.objects.update_or_create(
                user=user, organisation=organisation, defaults={"role": role, "agency": None, "is_active": True}
            )
            logins.append(DemoLogin(user.username, organisation.name, Role(role).label))
        Membership.objects.update_or_create(
            user=agency_user,
            organisation=organisation,
            defaults={"role": Role.AGENCY_MEMBER, "agency": agency, "is_active": True},
        )
    logins.append(DemoLogin(AGENCY_USERNAME, ", ".join(o["name"] for o in ORGANISATIONS.values()), "Agency member"))
    return logins


def _demo_user(username: str, first_name: str, last_name: str, language: str) -> User:
    user, _ = User.objects.get_or_create(username=username)
    user.first_name = first_name
    user.last_name = last_name
    user.email = f"{username}@example.org"
    user.language = language
    user.is_active = True
    user.set_password(DEMO_PASSWORD)
    user.save()
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        second_factor.enrol_with_secret(user, DEMO_TOTP_SECRET)
    return user
