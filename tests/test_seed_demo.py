import pytest
from django.core.management import CommandError, call_command

from accounts.demo import DEMO_PASSWORD, ORGANISATIONS, ROLE_USERS
from accounts.models import Agency, Channel, Membership, Organisation, User
from accounts.roles import Role


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
