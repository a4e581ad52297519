"""One way to scope: every model with a ``visible_to`` shows a membership only its own organisation's rows
(an agency member only what is addressed to their agency), and nothing to no membership."""

import pytest
from django.apps import apps

from accounts.scoping import ScopedQuerySet

pytestmark = pytest.mark.django_db


def _scoped_models():
    return [model for model in apps.get_models() if isinstance(model._default_manager.all(), ScopedQuerySet)]


def _organisation_of(row):
    for path in ("organisation", "channel.organisation", "brief.organisation", "posting.brief.organisation",
                 "period.organisation"):  # fmt: skip
        value = row
        for part in path.split("."):
            value = getattr(value, part, None)
        if value is not None:
            return value
    return None


def _stage_outside_the_workflow(world, model):
    """Rows the staged workflow doesn't make: a disclosure package and reply templates of each organisation, and a
    webcare question to the press office (which lets the reviewers see that task)."""
    from content.models import ReplyTemplate, WebcareEscalation
    from tests.world import STAGED_AT

    if model is ReplyTemplate:
        for organisation in (world.ministry, world.municipality):
            ReplyTemplate.objects.create(organisation=organisation, title="Thanks", text="Thank you!")
    if model._meta.label == "content.WebcareTask":
        WebcareEscalation.objects.create(
            task=world.stages.webcare, role="reviewer", question="Answer?", asked_by=world.people["team_social"],
            asked_at=STAGED_AT,
        )  # fmt: skip
        reviewer = world.people["reviewer"].memberships.get()
        assert list(model.objects.visible_to(reviewer)) == [world.stages.webcare]
    if model._meta.label == "content.FollowUp":
        for organisation in (world.ministry, world.municipality):
            model.objects.create(
                organisation=organisation, kind="posted_without_approval", tiktok_video_id="7077642457847991000",
                due_at=STAGED_AT, created_at=STAGED_AT,
            )  # fmt: skip
    if model._meta.label == "disclosure.DisclosureRequest":
        for organisation, person in (
            (world.ministry, world.people["team_social"]),
            (world.municipality, world.other_admin),
        ):
            model.objects.create(
                organisation=organisation, jurisdiction=organisation.records_law, reference="2026-0001",
                requester="A journalist", received_on=STAGED_AT.date(), subject="The videos",
                period_start=STAGED_AT.date(), period_end=STAGED_AT.date(), registered_by=person,
                registered_at=STAGED_AT,
            )  # fmt: skip
    if model._meta.label == "archive.ArchivePackage":
        from tests.factories import TopicFactory

        for organisation in (world.ministry, world.municipality):
            model.objects.create(
                organisation=organisation, topic=TopicFactory(organisation=organisation), reason="on_demand",
                requested_at=STAGED_AT,
            )  # fmt: skip
    if model._meta.label == "archive.DestructionList":
        for organisation, person in (
            (world.ministry, world.people["org_admin"]),
            (world.municipality, world.other_admin),
        ):
            model.objects.create(organisation=organisation, proposed_by=person, proposed_at=STAGED_AT)
    if model._meta.label == "disclosure.DisclosureExport":
        from tests.world import STAGED_AT

        for organisation, person in (
            (world.ministry, world.people["team_social"]),
            (world.municipality, world.other_admin),
        ):
            model.objects.create(
                organisation=organisation, requested_by=person, title="20260101-20260131", language="en",
                created_at=STAGED_AT, parameters={"start": "2026-01-01", "end": "2026-01-31"},
            )  # fmt: skip


def test_the_scoped_models_are_the_ones_people_see_in_part():
    names = {model._meta.label for model in _scoped_models()}
    assert names >= {
        "accounts.Channel", "content.Brief", "content.Topic", "content.Creator", "content.Posting",
        "content.WebcareTask", "scheduling.Slot", "budget.BudgetPeriod", "budget.CostLine",
    }  # fmt: skip


@pytest.mark.parametrize("model", _scoped_models(), ids=lambda model: model._meta.label)
def test_a_membership_sees_only_its_own_organisations_rows(staged_world, model):
    world = staged_world
    _stage_outside_the_workflow(world, model)
    assert model.objects.exists() or model._meta.label == "content.Creator", "stage a row of it"
    other = world.other_admin.memberships.get()
    assert model.objects.visible_to(None).count() == 0
    for membership in [*(person.memberships.get() for person in world.people.values()), other]:
        for row in model.objects.visible_to(membership):
            organisation = _organisation_of(row)
            if organisation is not None:
                assert organisation == membership.organisation, (model, membership.role, row)
    inactive = world.people["team_social"].memberships.get()
    inactive.is_active = False
    assert model.objects.visible_to(inactive).count() == 0


def test_an_agency_member_sees_only_what_is_addressed_to_their_agency(staged_world):
    from budget.models import CostLine
    from content.models import Brief

    world = staged_world
    agency = world.people["agency_member"].memberships.get()
    briefs = Brief.objects.visible_to(agency)
    assert briefs.exists() and not briefs.filter(status__in=["draft", "submitted"]).exists()
    assert set(briefs.values_list("agency_id", flat=True)) == {world.agency.pk}
    assert set(CostLine.objects.visible_to(agency).values_list("agency_id", flat=True)) <= {world.agency.pk}
