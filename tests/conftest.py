"""Personas: one person per role in the ministry, plus a second organisation and a second agency.

alice..: the ministry (Dutch); the municipality (Swedish) is "the other organisation", whose objects
must be invisible (404) to the ministry's people.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine

from accounts.models import Agency, Channel, Organisation, User
from accounts.roles import Role
from stats.client import OAuthClient
from stats.models import ChannelConnection
from stats.simulator import Simulator, serve

from .factories import (
    AgencyEngagementFactory,
    AgencyFactory,
    ChannelFactory,
    MembershipFactory,
    OrganisationFactory,
    SwedishOrganisationFactory,
    UserFactory,
)

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


def pytest_addoption(parser):
    parser.addoption(
        "--clock",
        metavar="ISO_DATETIME",
        help="Run the suite with the clock moved to this moment (it keeps ticking from there), to prove that no "
        "test depends on the real date. make test runs the non-browser tests again on other dates this way.",
    )


def pytest_configure(config):
    moment = config.getoption("--clock")
    if moment:
        # time-machine moves Python's clock in this process only (subprocesses and the database server keep the
        # real one, which the code never compares with its own); monotonic clocks and sleeps are left alone.
        traveller = time_machine.travel(datetime.fromisoformat(moment), tick=True)
        traveller.start()
        config.add_cleanup(traveller.stop)


def pytest_report_header(config):
    moment = config.getoption("--clock")
    return f"clock moved to {moment}" if moment else None


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogues():
    """Compile the Dutch and Swedish catalogues first, so a test run alone on a fresh clone reads them too."""
    from django.core.management import call_command

    locale = Path(__file__).resolve().parent.parent / "locale"
    stale = [
        po
        for po in locale.glob("*/LC_MESSAGES/django.po")
        if not po.with_suffix(".mo").exists() or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if stale:
        call_command("catalogues", verbosity=0)


@pytest.fixture(scope="session", autouse=True)
def _celery_in_memory():
    """Tasks queued by the code under test go to an in-memory broker; tests run tasks by calling them."""
    from tiktokplanner.celery import app

    app.conf.update(broker_url="memory://", broker_transport_options={})


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Each test starts in English: a request handled earlier in this thread may have switched."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def frozen():
    """The clock at STAGED_AT for this test (it ticks on from there)."""
    with time_machine.travel(STAGED_AT, tick=True) as traveller:
        yield traveller


@pytest.fixture
def world(db) -> World:
    return build_world()


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


@pytest.fixture
def client_for(client):
    """client_for(user) → the test client logged in as that user (None: anonymous)."""

    def login(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return login


@pytest.fixture(scope="module")
def staged_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """A world with briefs in every stage, built once per module at STAGED_AT, where the clock stands for
    the module's tests: tests still roll back their own changes (the ``db`` fixture), so each starts from
    this state. Emptied again after the module."""
    from django.core.management import call_command
    from django.test import override_settings

    from .workflow import Stages

    overrides = override_settings(
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    overrides.enable()
    clock = time_machine.travel(STAGED_AT, tick=True)
    clock.start()
    with django_db_blocker.unblock():
        world = build_world()
        world.stages = Stages(world, now=STAGED_AT)
    yield world
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)
    clock.stop()
    overrides.disable()


# --- TikTok: the local simulator over real HTTP on loopback (only TikTok is faked) -------------------
SIMULATED_OPEN_ID = "open-ministry"


@pytest.fixture
def simulator(settings):
    sim = Simulator()
    server, url = serve(sim)
    settings.TIKTOK_API_BASE_URL = url
    settings.TIKTOK_CLIENT_KEY = sim.client_key
    settings.TIKTOK_CLIENT_SECRET = sim.client_secret
    sim.add_account(SIMULATED_OPEN_ID, "Ministerie van VWS", follower_count=14_500)
    yield sim
    server.shutdown()
    server.server_close()


@pytest.fixture
def connected(world, simulator, settings, tmp_path, frozen):
    """A posted video on the channel, known to TikTok, and the channel connected by team social (at
    STAGED_AT: the clock stands there in the test)."""
    settings.MEDIA_ROOT = tmp_path
    from .workflow import Stages

    stages = Stages(world, now=STAGED_AT)
    simulator.add_video(SIMULATED_OPEN_ID, stages.posting.tiktok_video_id, views=105_000, likes=2_500, comments=16)
    tokens = OAuthClient(settings.TIKTOK_API_BASE_URL, simulator.client_key, simulator.client_secret).exchange_code(
        simulator.authorization_code(SIMULATED_OPEN_ID), "http://testserver/callback"
    )
    connection = ChannelConnection(channel=world.channel, open_id=tokens.open_id, scopes=tokens.scope)
    connection.access_token = tokens.access_token
    connection.refresh_token = tokens.refresh_token
    connection.access_expires_at = STAGED_AT + timedelta(seconds=tokens.expires_in)
    connection.save()
    return world, stages, connection
