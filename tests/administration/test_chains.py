"""Approval chains in the organisation's settings: each stage's steps in order, edited as a formset in which every
field has its own label; steps added, removed and moved; a chain every review can go through; audited."""

import pytest
from django.urls import reverse

from approvals.models import ApprovalChain
from approvals.services import chain_for
from audit.models import AuditEvent

from .helpers import admin_client, unlabelled_fields

pytestmark = pytest.mark.django_db


def step_data(steps, *, extra=None):
    """The formset's POST: ``steps`` are (position, name, role, mode, owner only, sensitive only, remove)."""
    rows = [*steps, *([extra] if extra else [])]
    data = {"steps-TOTAL_FORMS": str(len(rows)), "steps-INITIAL_FORMS": str(len(steps)),
            "steps-MIN_NUM_FORMS": "0", "steps-MAX_NUM_FORMS": "1000"}  # fmt: skip
    for index, (position, name, role, mode, owner_only, sensitive_only, remove) in enumerate(rows):
        prefix = f"steps-{index}-"
        data |= {prefix + "position": position, prefix + "name": name, prefix + "role": role, prefix + "mode": mode}
        for field, on in (("topic_owner_only", owner_only), ("sensitive_only", sensitive_only), ("DELETE", remove)):
            if on:
                data[prefix + field] = "on"
    return data


DEFAULTS = [
    (1, "Communication adviser of the topic", "adviser", "any", True, False, False),
    (2, "Team social", "team_social", "any", False, False, False),
    (3, "Legal or press office (sensitive topics)", "reviewer", "any", False, True, False),
]


def test_the_page_shows_each_stages_steps_and_creates_nothing(world, client_for):
    page = admin_client(world, client_for).get(reverse("settings_chains")).content.decode()
    assert page.count("Legal or press office (sensitive topics)") == 2  # the default, for scripts and videos
    assert "A change applies to reviews started afterwards" in page
    assert "a review already under way keeps the steps it started with" in page
    assert not ApprovalChain.objects.exists()  # reading never makes a chain


def test_every_field_of_the_step_formset_has_a_visible_label(world, client_for):
    page = admin_client(world, client_for).get(reverse("settings_chain_edit", args=["video"])).content.decode()
    assert page.count("<fieldset") >= 4  # three steps and an empty one to add
    assert unlabelled_fields(page) == []
    assert "Remove this step" in page


def test_steps_are_changed_added_removed_and_moved_and_it_is_audited(world, client_for):
    client = admin_client(world, client_for)
    data = step_data(
        [
            (2, "Communication adviser of the topic", "adviser", "any", True, False, False),
            (1, "Team social first", "team_social", "all", False, False, False),  # moved up and renamed
            (3, "Legal or press office (sensitive topics)", "reviewer", "any", False, True, True),  # removed
        ],
        extra=(9, "Press office", "reviewer", "any", False, False, False),  # added at the end
    )
    response = client.post(reverse("settings_chain_edit", args=["video"]), data)
    assert response.status_code == 302
    chain = ApprovalChain.objects.get(organisation=world.ministry, stage="video")
    steps = list(chain.steps.order_by("position").values_list("position", "name", "role", "mode"))
    assert steps == [
        (1, "Team social first", "team_social", "all"),
        (2, "Communication adviser of the topic", "adviser", "any"),
        (3, "Press office", "reviewer", "any"),
    ]
    event = AuditEvent.objects.get(action="approval_chain.changed")
    assert event.details["stage"] == "video"
    assert [step["name"] for step in event.details["before"]] == [step[1] for step in DEFAULTS]
    assert [step["name"] for step in event.details["after"]] == [name for _, name, _, _ in steps]
    assert not ApprovalChain.objects.filter(stage="script").exists()  # the other stage is untouched
    # The page shows the new steps, and new reviews get them.
    assert "Team social first" in client.get(reverse("settings_chains")).content.decode()
    assert chain_for(world.ministry, "video").steps.count() == 3


def test_the_empty_extra_step_adds_nothing_and_no_change_records_nothing(world, client_for):
    client = admin_client(world, client_for)
    data = step_data(DEFAULTS, extra=(4, "", "", "any", False, False, False))
    response = client.post(reverse("settings_chain_edit", args=["script"]), data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("settings_chains")
    assert not ApprovalChain.objects.exists()
    assert not AuditEvent.objects.filter(action="approval_chain.changed").exists()


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ([(1, "Team social", "team_social", "any", False, False, True)], "Keep at least one step"),
        ([(1, "Legal", "reviewer", "any", False, True, False)], "At least one step must apply to every topic"),
        ([(1, "Owner", "team_social", "any", True, False, False)], "a topic is owned by a communication adviser"),
        (
            [(1, "A", "adviser", "any", False, False, False), (1, "B", "team_social", "any", False, False, False)],
            "Two steps have position 1",
        ),
        ([(1, "Agency self-check", "agency", "any", False, False, False)], "Select a valid choice"),
        ([(1, "The MT", "management", "any", False, False, False)], "Select a valid choice"),
    ],
)
def test_a_chain_no_review_could_go_through_is_refused(world, client_for, steps, message):
    client = admin_client(world, client_for)
    existing = chain_for(world.ministry, "script")  # the default, as the first review made it
    response = client.post(reverse("settings_chain_edit", args=["script"]), step_data(steps))
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert existing.steps.count() == 3
    assert not AuditEvent.objects.filter(action="approval_chain.changed").exists()


def test_another_organisations_chain_is_neither_shown_nor_changed(world, client_for):
    theirs = chain_for(world.municipality, "video")
    theirs.steps.filter(position=2).update(name="Nykvarn's own step")
    client = admin_client(world, client_for)
    assert "Nykvarn" not in client.get(reverse("settings_chains")).content.decode()
    client.post(
        reverse("settings_chain_edit", args=["video"]),
        step_data([(1, "Ours", "team_social", "any", False, False, False)]),
    )
    assert theirs.steps.filter(name="Nykvarn's own step").exists()
    assert ApprovalChain.objects.get(organisation=world.ministry, stage="video").steps.get().name == "Ours"


def test_an_unknown_stage_is_not_found_and_other_roles_are_refused(world, client_for):
    assert admin_client(world, client_for).get(reverse("settings_chain_edit", args=["budget"])).status_code == 404
    client = client_for(world.people["team_social"])
    data = step_data([(1, "Ours", "team_social", "any", False, False, False)])
    assert client.post(reverse("settings_chain_edit", args=["video"]), data).status_code == 403
    assert not ApprovalChain.objects.exists()
