"""``manage.py generate_data``: history at the pilot's pace, written in bulk, that the app reads as its own: the
audit chains verify, the latest figures match the snapshots, and the generated people can log in."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Max

from accounts.models import Organisation, User
from audit.models import AuditEvent
from content.models import Posting
from stats.models import LatestFigures, VideoSnapshot

pytestmark = pytest.mark.django_db


def test_two_organisations_of_a_year_each_verify_and_read_as_the_apps_own():
    out = StringIO()
    call_command("generate_data", "--organisations=2", "--years=1", stdout=out)
    counts = dict(re.findall(r"(\w+)=(\d+)", out.getvalue()))
    assert counts["organisations"] == "2"
    organisations = Organisation.objects.filter(slug__startswith="bench-")
    assert organisations.count() == 2
    # Two posts a week for a year, per organisation (a week either side for where the year starts).
    for organisation in organisations:
        posted = Posting.objects.filter(brief__organisation=organisation).count()
        assert 100 <= posted <= 106, posted
        assert AuditEvent.objects.filter(organisation=organisation).exists()
    call_command("verify_audit", stdout=StringIO())  # raises CommandError on a broken chain
    # Every posted video's latest figures are its latest snapshot's.
    latest = dict(VideoSnapshot.objects.values("posting_id").annotate(last=Max("captured_at")).values_list(
        "posting_id", "last"))  # fmt: skip
    assert latest
    assert dict(LatestFigures.objects.values_list("posting_id", "measured_at")) == latest
    user = User.objects.get(username="bench1-adviser")
    assert user.check_password("bench-password-2026")


def test_bad_sizes_are_refused_with_a_message():
    with pytest.raises(CommandError, match="at least 1"):
        call_command("generate_data", "--years=0", stdout=StringIO())
