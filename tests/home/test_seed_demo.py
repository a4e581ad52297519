import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import Agency, Channel, Membership, Organisation, User
from accounts.roles import Role
from budget.models import BudgetPeriod, PeriodStatus
from content.models import Posting
from home.demo.world import DEMO_PASSWORD, ORGANISATIONS, ROLE_USERS
from scheduling.models import Slot
from stats.models import VideoSnapshot
from stats.selectors import default_period
from stats.services import postings_due
from tests.world import log_in_verified


@pytest.mark.django_db
def test_seed_demo_creates_both_organisations_with_one_person_per_role(capsys):
    call_command("seed_demo")
    ministry = Organisation.objects.get(slug="vws")
    municipality = Organisation.objects.get(slug="nykvarn")
    assert (ministry.country, ministry.language, ministry.time_zone, ministry.currency, str(ministry.vat_rate)) == (
        "NL",
        "nl",
        "Europe/Amsterdam",
        "EUR",
        "21.00",
    )
    assert (municipality.country, municipality.currency, str(municipality.vat_rate)) == ("SE", "SEK", "25.00")
    for organisation in (ministry, municipality):
        roles = set(Membership.objects.filter(organisation=organisation).values_list("role", flat=True))
        assert roles == set(Role)
        assert organisation.channels.exists()
    agency = Agency.objects.get()
    assert set(agency.organisations.all()) == {ministry, municipality}
    assert User.objects.get(username="vws-social").check_password(DEMO_PASSWORD)
    output = capsys.readouterr().out
    assert DEMO_PASSWORD in output
    assert "vws-adviser" in output


@pytest.mark.django_db
def test_seed_demo_is_idempotent():
    call_command("seed_demo")
    counts = [model.objects.count() for model in (Organisation, Channel, Agency, Membership, User)]
    call_command("seed_demo")
    assert [model.objects.count() for model in (Organisation, Channel, Agency, Membership, User)] == counts
    assert counts[-1] == len(ORGANISATIONS) * len(ROLE_USERS) + 1  # plus the shared agency person


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo")
    assert not User.objects.exists()


# The demo is made relative to the day it runs: a Tuesday morning before the day's post, New Year's night
# in The Hague (still 31 December in UTC), and a Thursday just after the 16:00 post.
DEMO_DAYS = [
    datetime(2026, 11, 24, 9, 0, tzinfo=UTC),
    datetime(2028, 1, 1, 0, 30, tzinfo=ZoneInfo("Europe/Amsterdam")),
    datetime(2029, 6, 14, 17, 30, tzinfo=ZoneInfo("Europe/Amsterdam")),
]


@pytest.mark.django_db
@pytest.mark.parametrize("moment", DEMO_DAYS, ids=lambda moment: moment.date().isoformat())
def test_the_demo_is_alive_on_any_day(moment, client):
    with time_machine.travel(moment, tick=False):
        call_command("seed_demo", stdout=io.StringIO())
        vws = Organisation.objects.get(slug="vws")
        channel = vws.channels.get()
        today = timezone.localdate(moment, vws.zone)

        # The pilot of 2020-21 is history, and the ministry posted twice a week in the last two weeks.
        posted = sorted(Posting.objects.filter(brief__channel=channel).values_list("posted_at", flat=True))
        assert posted[0].year == 2020
        recent = [p for p in posted if p > moment - timedelta(days=16)]
        assert len(recent) == 4 and all(p < moment for p in recent)
        # The newest is young enough for the three-hourly pull; all of them for the daily one.
        assert postings_due(channel, moment, fresh_only=True).exists()
        assert postings_due(channel, moment).count() == 4
        assert VideoSnapshot.objects.filter(posting__posted_at__in=recent).exists()
        assert not VideoSnapshot.objects.filter(captured_at__gt=moment).exists()

        # A budget period runs today, approved, with the recent posts' costs; Nykvarn's MT has one to decide.
        period = BudgetPeriod.objects.get(organisation=vws, starts_on__lte=today, ends_on__gte=today)
        assert period.status == PeriodStatus.APPROVED
        assert period.cost_lines.filter(brief__posting__posted_at__in=recent).count() == 4
        assert BudgetPeriod.objects.filter(organisation__slug="nykvarn", status=PeriodStatus.PROPOSED).exists()

        # The calendar: the recent posts in their slots, and slots in the coming weeks, one of them planned.
        assert Slot.objects.filter(channel=channel, starts_at__in=recent).count() == 4
        coming = Slot.objects.filter(channel=channel, starts_at__gt=moment, starts_at__lt=moment + timedelta(weeks=2))
        assert coming.count() == 4 and coming.filter(brief__isnull=False).exists()
        # 26 weeks from today: 52 slots, or 51 when today's 16:00 has passed.
        assert Slot.objects.filter(channel=channel, starts_at__gt=moment).count() in (51, 52)

        # The results open on the running budget period and show the recent videos.
        assert default_period(channel, today=today).source == period
        log_in_verified(client, User.objects.get(username="vws-social"))
        page = client.get(f"/results/channels/{channel.pk}/").content.decode()
        assert f'value="{period.starts_on.isoformat()}"' in page and f'value="{today.isoformat()}"' in page
        assert "Traplopen telt ook" in page and "Waarom ik me laat vaccineren" not in page

        # Made again on a later day, the calendar still reaches 26 weeks ahead.
        later = moment + timedelta(weeks=5)
    with time_machine.travel(later, tick=False):
        call_command("seed_demo", stdout=io.StringIO())
        assert Slot.objects.filter(channel=channel, starts_at__gt=later).count() in (51, 52)
