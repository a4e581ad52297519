"""The test world: one person per role in the ministry, a second organisation and a second agency.

The ministry (Dutch) is "our" organisation; the municipality (Swedish) is "the other organisation", whose
objects must be invisible (404) to the ministry's people. ``STAGED_AT`` is the moment fixtures are made at
and where the clock stands in tests that depend on the date.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from accounts.models import Agency, Channel, Organisation, User
from accounts.roles import Role

from .factories import (
    AgencyEngagementFactory,
    AgencyFactory,
    ChannelFactory,
    MembershipFactory,
    OrganisationFactory,
    SwedishOrganisationFactory,
    UserFactory,
)

SIMULATED_OPEN_ID = "open-ministry"  # the ministry's account at the TikTok simulator

# Fixed, distinct names: tests check that one person's name does not show up where it must not, so a
# random name shared by two personas would make them flaky.
PERSONA_NAMES = {
    "adviser": ("Anouk", "Visser"),
    "team_social": ("Bram", "Graafland"),
    "campaign_manager": ("Cecile", "Mulders"),
    "agency_member": ("Dirk", "Smitsen"),
    "management": ("Eva", "Bakkers"),
    "org_admin": ("Femke", "Jansma"),
    "reviewer": ("Gijs", "Damstra"),
}

# The moment the staged fixtures are made at, and where the clock stands in their tests (ticking on from
# there): a Tuesday morning, before that day's 16:00 slot. Tests that depend on the date either pass dates
# themselves or run at this moment; `make test` runs the rest again on other dates (--clock).
STAGED_AT = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)

ROLE_PERSONAS = {
    Role.COMMUNICATION_ADVISER: "adviser",
    Role.TEAM_SOCIAL: "team_social",
    Role.CAMPAIGN_MANAGER: "campaign_manager",
    Role.AGENCY_MEMBER: "agency_member",
    Role.MANAGEMENT: "management",
    Role.ORGANISATION_ADMIN: "org_admin",
    Role.REVIEWER: "reviewer",
}


@dataclass
class World:
    ministry: Organisation
    municipality: Organisation
    agency: Agency
    other_agency: Agency
    channel: Channel
    other_channel: Channel
    people: dict[str, User]
    other_admin: User
    shared_agency_member: User
    no_membership: User

    def person(self, persona: str) -> User | None:
        if persona == "anonymous":
            return None
        if persona == "no_membership":
            return self.no_membership
        return self.people[persona]


def build_world() -> World:
    ministry = OrganisationFactory(name="Ministry of Health (test)", slug="ministry")
    municipality = SwedishOrganisationFactory(name="Nykvarn (test)", slug="nykvarn")
    agency = AgencyFactory(name="Clips Agency")
    other_agency = AgencyFactory(name="Other Agency")
    AgencyEngagementFactory(agency=agency, organisation=ministry)
    AgencyEngagementFactory(agency=agency, organisation=municipality)
    AgencyEngagementFactory(agency=other_agency, organisation=municipality)
    people = {}
    for role, persona in ROLE_PERSONAS.items():
        people[persona] = MembershipFactory(
            organisation=ministry,
            role=role,
            agency=agency if role == Role.AGENCY_MEMBER else None,
            # English by own choice, so tests read English; tests of the defaults clear it.
            user=UserFactory(
                username=f"ministry-{persona}",
                first_name=PERSONA_NAMES[persona][0],
                last_name=PERSONA_NAMES[persona][1],
                language="en",
            ),
        ).user
    other_admin = MembershipFactory(
        organisation=municipality,
        role=Role.ORGANISATION_ADMIN,
        user=UserFactory(username="nykvarn-admin", first_name="Hanna", last_name="Ekholm"),
    ).user
    shared = UserFactory(username="shared-agency", first_name="Ivo", last_name="Peeterse")
    MembershipFactory(user=shared, organisation=ministry, role=Role.AGENCY_MEMBER, agency=agency)
    MembershipFactory(user=shared, organisation=municipality, role=Role.AGENCY_MEMBER, agency=agency)
    return World(
        ministry=ministry,
        municipality=municipality,
        agency=agency,
        other_agency=other_agency,
        channel=ChannelFactory(organisation=ministry, handle="ministry_channel"),
        other_channel=ChannelFactory(organisation=municipality, handle="nykvarn_channel"),
        people=people,
        other_admin=other_admin,
        shared_agency_member=shared,
        no_membership=UserFactory(username="newcomer"),
    )


def log_in_verified(client, user) -> None:
    """Log ``client`` in as ``user`` past both steps: a session as django-otp leaves it after a right code."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test app", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
