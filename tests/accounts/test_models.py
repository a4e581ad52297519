"""Invariants held by the database, not only by forms."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.models import Channel, Membership
from accounts.roles import Role
from tests.factories import AgencyFactory, ChannelFactory, MembershipFactory, OrganisationFactory, UserFactory


@pytest.mark.django_db
def test_agency_member_must_name_an_agency_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=UserFactory(), organisation=OrganisationFactory(), role=Role.AGENCY_MEMBER)


@pytest.mark.django_db
def test_civil_servant_cannot_belong_to_an_agency_in_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(role=Role.TEAM_SOCIAL, agency=AgencyFactory())


@pytest.mark.django_db
def test_one_membership_per_person_per_organisation():
    membership = MembershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(user=membership.user, organisation=membership.organisation, role=Role.MANAGEMENT)


@pytest.mark.django_db
def test_vat_rate_outside_0_to_100_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(vat_rate=Decimal("120.00"))


@pytest.mark.django_db
def test_channel_handle_is_unique_ignoring_case():
    ChannelFactory(handle="MinVWS")
    with pytest.raises(IntegrityError), transaction.atomic():
        ChannelFactory(handle="minvws")


@pytest.mark.django_db
def test_agency_membership_needs_an_engagement_with_the_organisation():
    membership = Membership(
        user=UserFactory(), organisation=OrganisationFactory(), role=Role.AGENCY_MEMBER, agency=AgencyFactory()
    )
    with pytest.raises(ValidationError) as error:
        membership.full_clean()
    assert "agency" in error.value.message_dict


@pytest.mark.django_db
@pytest.mark.parametrize("handle", ["a", "has space", "x" * 25, "ends.with.dot."])
def test_invalid_tiktok_handles_are_refused(handle):
    channel = Channel(organisation=OrganisationFactory(), handle=handle, display_name="Test")
    with pytest.raises(ValidationError):
        channel.full_clean()


@pytest.mark.django_db
def test_time_zone_must_exist():
    organisation = OrganisationFactory.build(time_zone="Europe/Atlantis")
    with pytest.raises(ValidationError) as error:
        organisation.full_clean()
    assert "time_zone" in error.value.message_dict
