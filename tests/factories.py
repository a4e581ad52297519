from datetime import date
from decimal import Decimal

import factory

from accounts.models import Agency, AgencyEngagement, Channel, Country, Currency, Membership, Organisation, User
from accounts.roles import Role

TEST_PASSWORD = "correct-horse-battery-staple"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Ministry {n}")
    slug = factory.Sequence(lambda n: f"ministry-{n}")
    country = Country.NETHERLANDS
    language = "nl"
    time_zone = "Europe/Amsterdam"
    currency = Currency.EUR
    vat_rate = Decimal("21.00")


class SwedishOrganisationFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Kommun {n}")
    slug = factory.Sequence(lambda n: f"kommun-{n}")
    country = Country.SWEDEN
    language = "sv"
    time_zone = "Europe/Stockholm"
    currency = Currency.SEK
    vat_rate = Decimal("25.00")


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Channel

    organisation = factory.SubFactory(OrganisationFactory)
    handle = factory.Sequence(lambda n: f"channel_{n}")
    display_name = factory.LazyAttribute(lambda o: f"Channel of {o.organisation.name}")


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")


class AgencyEngagementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgencyEngagement

    agency = factory.SubFactory(AgencyFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    since = date(2020, 11, 1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.COMMUNICATION_ADVISER
    agency = None


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "content.Topic"

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Topic {n}")


class CreatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "content.Creator"

    agency = factory.SubFactory(AgencyFactory)
    handle = factory.Sequence(lambda n: f"creator_{n}")
    display_name = factory.Sequence(lambda n: f"Creator Person {n}")
    follower_count = 120_000
    consent_date = date(2026, 1, 5)  # their contract: on the video's consent register
