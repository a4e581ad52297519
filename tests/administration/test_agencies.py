"""Agencies in the organisation's settings: the ministry's engagements, an agency engaged by its exact name (an
existing one, shared with other organisations, or a new one), engagements ended and resumed, all audited. Agencies
the ministry has no engagement with are never shown."""

import pytest
from django.urls import reverse

from accounts.models import Agency, AgencyEngagement
from audit.models import AuditEvent

from .helpers import admin_client, messages_of, unlabelled_fields

pytestmark = pytest.mark.django_db


def test_the_list_shows_only_the_organisations_own_engagements(world, client_for):
    page = admin_client(world, client_for).get(reverse("settings_agencies")).content.decode()
    assert "Clips Agency" in page
    assert "Other Agency" not in page  # it works for Nykvarn only
    assert unlabelled_fields(page) == []


def test_an_existing_agency_is_engaged_by_its_exact_name(world, client_for):
    client = admin_client(world, client_for)
    response = client.post(reverse("settings_agencies"), {"name": "Other Agency", "since": "2026-11-01"})
    assert response.status_code == 302
    assert Agency.objects.filter(name="Other Agency").count() == 1  # the same agency, not a second one
    engagement = AgencyEngagement.objects.get(organisation=world.ministry, agency=world.other_agency)
    assert engagement.is_active and str(engagement.since) == "2026-11-01"
    event = AuditEvent.objects.get(action="agency.engaged")
    assert event.details == {"agency": "Other Agency", "since": "2026-11-01", "new_agency": False}
    assert event.organisation == world.ministry


def test_a_new_name_makes_a_new_agency(world, client_for):
    admin_client(world, client_for).post(
        reverse("settings_agencies"), {"name": "  Fresh   Frames ", "since": "2026-11-01"}
    )
    agency = Agency.objects.get(name="Fresh Frames")
    assert AgencyEngagement.objects.get(agency=agency).organisation == world.ministry
    assert AuditEvent.objects.get(action="agency.engaged").details["new_agency"] is True


def test_an_agency_that_works_for_the_organisation_already_is_a_form_error(world, client_for):
    response = admin_client(world, client_for).post(
        reverse("settings_agencies"), {"name": "Clips Agency", "since": "2026-11-01"}
    )
    assert response.status_code == 400
    assert "Clips Agency works for this organisation already." in response.content.decode()
    assert not AuditEvent.objects.filter(action="agency.engaged").exists()


def test_an_engagement_is_ended_and_resumed_and_both_are_audited(world, client_for):
    engagement = AgencyEngagement.objects.get(organisation=world.ministry, agency=world.agency)
    client = admin_client(world, client_for)
    ended = client.post(reverse("settings_engagement_end", args=[engagement.pk]), follow=True)
    engagement.refresh_from_db()
    assert not engagement.is_active
    said = " ".join(messages_of(ended))
    # The ministry's agency member and the agency person shared with Nykvarn still have a membership here.
    assert "2 people of this agency still have an active membership here" in said
    assert AuditEvent.objects.get(action="agency.engagement_ended").details["members_still_active"] == 2
    # An agency that no longer works here is not offered for a new agency member.
    assert "Clips Agency" not in client.get(reverse("settings_person_add")).content.decode()
    client.post(reverse("settings_engagement_resume", args=[engagement.pk]))
    engagement.refresh_from_db()
    assert engagement.is_active
    assert AuditEvent.objects.filter(action="agency.engagement_resumed").count() == 1


def test_another_organisations_engagement_is_not_found(world, client_for):
    foreign = AgencyEngagement.objects.get(organisation=world.municipality, agency=world.other_agency)
    client = admin_client(world, client_for)
    assert client.post(reverse("settings_engagement_end", args=[foreign.pk])).status_code == 404
    foreign.refresh_from_db()
    assert foreign.is_active


def test_other_roles_may_not_engage_agencies(world, client_for):
    client = client_for(world.people["management"])
    assert client.post(reverse("settings_agencies"), {"name": "Sneaky", "since": "2026-11-01"}).status_code == 403
    assert not Agency.objects.filter(name="Sneaky").exists()
