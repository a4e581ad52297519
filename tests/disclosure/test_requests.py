"""Disclosure requests: registered (who, when, what), passages masked under a provision of the organisation's law,
a package with the request and a decision document, every step on record, and the request's age in sight.

Under offentlighetsprincipen (SE) names stay and each masked passage shows its OSL provision; under the Woo (NL)
names are replaced by 5.1.2e and a masked passage shows its ground, which the woo-web report lists too."""

import datetime as dt
import io
import re

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from audit.actions import AuditAction
from audit.models import AuditEvent
from audit.trail import verify_chain
from content import services as content
from disclosure import holds, masking, tasks
from disclosure.models import DisclosureExport, DisclosureRequest, Masking

from .test_disclosure import download, staged  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

HEALTH = "she told us she has diabetes"


def _register(client, **changes) -> DisclosureRequest:
    data = {
        "requester": "Kim Reporter, Nykvarns Tidning",
        "requester_contact": "kim@example.se",
        "received_on": timezone.localdate().isoformat(),
        "subject": "All documents about the summer videos",
        "start": "2000-01-01",
        "end": "2099-12-31",
    } | changes
    response = client.post(reverse("disclosure_request_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return DisclosureRequest.objects.latest("pk")


def _package(client, request: DisclosureRequest):
    assert client.post(reverse("disclosure_request_package", args=[request.pk])).status_code == 302
    export = DisclosureExport.objects.filter(request=request).latest("pk")
    tasks.build_export(export.pk)  # the worker, here in the test
    return download(client, reverse("disclosure_export_download", args=[export.pk]))


def _comment_with_health_data(world, brief):
    adviser = world.people["adviser"]
    content.comment_add(
        actor=world.people["team_social"],
        brief=brief,
        text=f"Webcare: a viewer wrote to {adviser.get_full_name()}; {HEALTH}. We answered in private.",
    )


def _comments_document(archive) -> str:
    [name] = [name for name in archive.namelist() if name.endswith("-comments.html")]
    return name


def test_a_swedish_disclosure_keeps_staff_names_and_shows_each_masked_passage_with_its_osl_provision(
    staged,  # noqa: F811
    client_for,
):
    world = staged
    world.ministry.jurisdiction = "SE"  # the organisation's public-records law, whatever its country
    world.ministry.save()
    brief = world.stages.posted
    _comment_with_health_data(world, brief)
    client = client_for(world.people["team_social"])
    request = _register(client)
    assert request.jurisdiction == "SE" and brief in request.briefs.all()

    response = client.post(
        reverse("disclosure_request_mask", args=[request.pk]),
        {"passage": "She told us  she has\ndiabetes", "provision": "21 kap. 1 § OSL", "reason": "A viewer's health"},
    )
    assert response.status_code == 302
    archive = _package(client, request)

    comments = archive.read(_comments_document(archive)).decode()
    adviser = world.people["adviser"]
    assert adviser.get_full_name() in comments  # the organisation's staff are not masked
    assert "diabetes" not in comments
    assert "[masked: 21 kap. 1 § OSL]" in comments
    documents = [name for name in archive.namelist() if name.endswith(".html")]
    assert [name for name in documents if "5.1.2e" in archive.read(name).decode()] == []
    assert not any(name.startswith("woo-web/") for name in archive.namelist())

    decision = archive.read("decision.html").decode()
    assert "21 kap. 1 § OSL" in decision and "A viewer&#x27;s health" in decision
    assert _comments_document(archive) in decision  # where it was masked
    assert "diabetes" not in decision  # what is kept secret is not in the decision either
    assert timezone.localdate().isoformat() in decision
    assert "kammarrätten" in decision
    assert "Kim Reporter" in archive.read("request.html").decode()
    readme = archive.read("README.txt").decode()
    assert "offentlighetsprincipen" in readme and request.reference in readme.splitlines()[0]  # the package's title


def test_a_dutch_request_masks_a_passage_on_a_woo_ground_and_still_replaces_names(staged, client_for):  # noqa: F811
    world = staged
    brief = world.stages.posted
    _comment_with_health_data(world, brief)
    client = client_for(world.people["team_social"])
    request = _register(client)
    assert request.jurisdiction == "NL"
    client.post(
        reverse("disclosure_request_mask", args=[request.pk]),
        {"passage": HEALTH, "provision": "5.1.1d Woo", "reason": "Health data", "brief": brief.pk},
    )
    archive = _package(client, request)

    comments = archive.read(_comments_document(archive)).decode()
    assert world.people["adviser"].last_name not in comments and "5.1.2e" in comments
    assert "diabetes" not in comments and "[masked: 5.1.1d Woo]" in comments
    sheet = openpyxl.load_workbook(io.BytesIO(archive.read("woo-web/productierapport.xlsx"))).active
    header, *rows = [list(row) for row in sheet.values]
    grounds = {row[header.index("Toelichting")]: row[header.index("Beoordelingsgrond")] for row in rows}
    assert grounds["comments"] == "5.1.2e;5.1.1d;"
    assert "bezwaar" in archive.read("decision.html").decode()


def test_a_passage_that_is_not_in_the_documents_is_refused_and_the_form_keeps_what_was_typed(
    staged,  # noqa: F811
    client_for,
):
    client = client_for(staged.people["team_social"])
    request = _register(client)
    response = client.post(
        reverse("disclosure_request_mask", args=[request.pk]),
        {"passage": "words nobody ever wrote", "provision": "5.2 Woo", "reason": "Internal views"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "This passage is not in the documents" in page
    assert "words nobody ever wrote" in page and "Internal views" in page
    assert not Masking.objects.exists()


def test_a_provision_of_another_law_is_refused(staged, client_for):  # noqa: F811
    client = client_for(staged.people["team_social"])
    request = _register(client)  # a Dutch request
    response = client.post(
        reverse("disclosure_request_mask", args=[request.pk]),
        {"passage": staged.stages.posted.title, "provision": "21 kap. 1 § OSL", "reason": "Health"},
    )
    assert response.status_code == 400
    assert not Masking.objects.exists()


def test_every_step_is_on_record_without_the_masked_passage_and_the_chain_holds(staged, client_for):  # noqa: F811
    world = staged
    _comment_with_health_data(world, world.stages.posted)
    client = client_for(world.people["team_social"])
    request = _register(client)
    client.post(
        reverse("disclosure_request_mask", args=[request.pk]),
        {"passage": HEALTH, "provision": "5.1.1d Woo", "reason": "Health data"},
    )
    _package(client, request)
    client.post(reverse("disclosure_request_decide", args=[request.pk]), {"note": "Sent by e-mail"})

    events = AuditEvent.objects.filter(object_type="disclosure.disclosurerequest", object_id=str(request.pk))
    assert list(events.order_by("sequence").values_list("action", flat=True)) == [
        AuditAction.REQUEST_REGISTERED,
        AuditAction.PASSAGE_MASKED,
        AuditAction.REQUEST_PACKAGED,
        AuditAction.REQUEST_DECIDED,
    ]
    assert events.get(action=AuditAction.REQUEST_PACKAGED).details["masked_places"] == 1
    assert all("diabetes" not in str(event.details) for event in AuditEvent.objects.all())
    assert AuditEvent.objects.filter(action=AuditAction.BRIEF_DISCLOSED, details__package=request.reference).exists()
    assert verify_chain(world.ministry) == []


def test_an_open_request_holds_its_briefs_and_a_decided_one_is_fixed(staged, client_for):  # noqa: F811
    world = staged
    client = client_for(world.people["team_social"])
    request = _register(client)
    assert world.stages.posted.pk in holds.held_brief_ids(world.ministry.pk)
    assert holds.holding_requests(world.ministry.pk, [world.stages.posted.pk]) == [request]

    client.post(reverse("disclosure_request_decide", args=[request.pk]), {"note": "Sent"})
    request.refresh_from_db()
    assert request.decided_at is not None and request.decided_by == world.people["team_social"]
    assert holds.held_brief_ids(world.ministry.pk) == set()
    response = client.post(
        reverse("disclosure_request_mask", args=[request.pk]),
        {"passage": world.stages.posted.title, "provision": "5.2 Woo", "reason": "Late"},
        follow=True,
    )
    assert "This request is decided" in response.content.decode()
    assert not Masking.objects.exists()


def test_the_list_shows_each_requests_age_and_flags_one_waiting_too_long(staged, client_for):  # noqa: F811
    world = staged
    world.ministry.jurisdiction = "SE"
    world.ministry.save()
    client = client_for(world.people["team_social"])
    today = timezone.localdate()
    late = _register(client, received_on=(today - dt.timedelta(days=5)).isoformat(), requester="Early bird")
    fresh = _register(client, requester="Just now")
    page = client.get(reverse("disclosure_requests")).content.decode()
    rows = dict(re.findall(r'data-request="(\d+)">(.*?)</tr>', page, re.S))
    assert "Open for 5 days" in rows[str(late.pk)] and "needs handling now" in rows[str(late.pk)]
    assert "Open for 0 days" in rows[str(fresh.pk)] and "needs handling now" not in rows[str(fresh.pk)]
    assert late.reference != fresh.reference
    # The home page of those who disclose shows the open requests, the late one marked.
    home = client.get(reverse("home")).content.decode()
    items = dict(re.findall(r">(\d{4}-\d{4})</a>(.*?)</li>", home))
    assert "open for 5 days" in items[late.reference] and "needs handling now" in items[late.reference]
    assert "open for 0 days" in items[fresh.reference] and "needs handling now" not in items[fresh.reference]


def test_a_request_cannot_be_received_in_the_future(staged, client_for):  # noqa: F811
    client = client_for(staged.people["team_social"])
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post(
        reverse("disclosure_request_add"),
        {"requester": "Kim", "received_on": tomorrow, "subject": "Videos", "start": "2000-01-01", "end": "2099-12-31"},
    )
    assert response.status_code == 400
    assert "in the future" in response.content.decode() and "Kim" in response.content.decode()
    assert not DisclosureRequest.objects.exists()


def test_another_organisations_request_is_not_found(staged, client_for):  # noqa: F811
    request = _register(client_for(staged.people["team_social"]))
    other = client_for(staged.other_admin)
    assert other.get(reverse("disclosure_request", args=[request.pk])).status_code == 404
    assert other.post(reverse("disclosure_request_package", args=[request.pk])).status_code == 404


def test_a_swedish_organisation_follows_swedish_law_unless_set_otherwise(world):
    assert world.municipality.records_law == "SE" and world.ministry.records_law == "NL"
    world.municipality.jurisdiction = "NL"
    assert world.municipality.records_law == "NL"


class _Passage:
    def __init__(self, pk, passage, provision):
        self.pk, self.passage, self.provision = pk, passage, provision


def test_the_masker_finds_a_passage_whatever_its_whitespace_and_case_and_prefers_the_longer_one():
    masker = masking.Masker(
        [_Passage(1, "has diabetes", "A"), _Passage(2, "she  has diabetes since May", "B")], lambda code: f"[{code}]"
    )
    assert masker.mask("Then She has\ndiabetes since May, and he has diabetes.") == "Then [B], and he [A]."
    assert dict(masker.places) == {1: 1, 2: 1}
    assert masking.occurs("HAS  diabetes", "she has diabetes") and not masking.occurs("   ", "anything")


def test_what_an_earlier_request_masked_in_the_same_documents_is_masked_in_the_next_one(
    staged,  # noqa: F811
    client_for,
):
    world = staged
    world.ministry.jurisdiction = "SE"
    world.ministry.save()
    _comment_with_health_data(world, world.stages.posted)
    client = client_for(world.people["team_social"])
    first = _register(client)
    client.post(
        reverse("disclosure_request_mask", args=[first.pk]),
        {"passage": HEALTH, "provision": "21 kap. 1 § OSL", "reason": "A viewer's health"},
    )
    response = client.post(
        reverse("disclosure_request_add"),
        {"requester": "Another paper", "received_on": timezone.localdate().isoformat(), "subject": "The same",
         "start": "2000-01-01", "end": "2099-12-31"},
        follow=True,
    )  # fmt: skip
    second = DisclosureRequest.objects.latest("pk")
    [carried] = second.maskings.all()
    assert carried.carried_from.request == first and carried.provision == "21 kap. 1 § OSL"
    assert "masked here too" in response.content.decode() and f"Masked in request {first.reference} too" in (
        response.content.decode()
    )
    registered = AuditEvent.objects.get(action=AuditAction.REQUEST_REGISTERED, object_id=str(second.pk))
    assert registered.details["carried_over"] == [carried.carried_from_id]
    archive = _package(client, second)
    assert "diabetes" not in archive.read(_comments_document(archive)).decode()


def test_recording_the_decision_makes_the_final_package_whose_decision_is_dated_not_draft(
    staged,  # noqa: F811
    client_for,
):
    client = client_for(staged.people["team_social"])
    request = _register(client)
    draft = _package(client, request)
    assert "draft: the request is still open" in draft.read("decision.html").decode()

    response = client.post(reverse("disclosure_request_decide", args=[request.pk]), {"note": "Sent on paper"})
    assert response.status_code == 302
    final = DisclosureExport.objects.filter(request=request).latest("pk")
    assert final.created_at == DisclosureRequest.objects.get(pk=request.pk).decided_at and not final.is_draft
    first = DisclosureExport.objects.filter(request=request).earliest("pk")
    assert first.filename == f"woo-{request.reference}-draft.zip" and final.filename == f"woo-{request.reference}.zip"
    tasks.build_export(final.pk)
    decision = download(client, reverse("disclosure_export_download", args=[final.pk])).read("decision.html").decode()
    assert "draft" not in decision and "Sent on paper" in decision
    page = client.get(reverse("disclosure_exports")).content.decode()
    assert "(draft)" in page and "(final)" in page
