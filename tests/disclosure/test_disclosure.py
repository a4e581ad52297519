"""The Woo disclosure export: an inventory and the documents, with no personal name left in them."""

import csv
import io
import re
import zipfile
from datetime import UTC, datetime

import openpyxl
import pypdf
import pytest
from django.urls import reverse

from accounts.models import User
from content.models import Creator
from tests.workflow import Stages
from tests.world import STAGED_AT

pytestmark = pytest.mark.django_db


@pytest.fixture
def staged(world, settings, tmp_path, frozen):
    settings.MEDIA_ROOT = tmp_path / "media"
    world.stages = Stages(world, now=STAGED_AT)
    return world


def download(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def download_period(client, start, end):
    """Ask for a period's package, let the worker make it (the task, called here) and download it."""
    from disclosure import tasks
    from disclosure.models import DisclosureExport

    response = client.post(reverse("period_disclosure"), {"start": start, "end": end})
    assert response.status_code == 302
    export = DisclosureExport.objects.latest("pk")
    tasks.build_export(export.pk)
    return download(client, reverse("disclosure_export_download", args=[export.pk]))


def text_of(archive, name) -> str:
    """A file of the package as text: the woo-web PDFs through a PDF reader, the production report through openpyxl."""
    data = archive.read(name)
    if name.endswith(".pdf"):
        return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    if name.endswith(".xlsx"):
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        return "\n".join(" ".join(str(value) for value in row if value is not None) for row in sheet.values)
    return data.decode()


def names_that_must_not_appear():
    names = set()
    for user in User.objects.all():
        names |= {user.first_name, user.last_name, user.get_full_name(), user.username, user.email}
    for creator in Creator.objects.all():
        names |= {creator.display_name, creator.handle}
    return {name for name in names if name and len(name) >= 2}


def test_the_package_leaks_no_name_of_staff_agency_or_creators(staged, client_for):
    brief = staged.stages.posted
    adviser = staged.people["adviser"]
    creator = Creator.objects.filter(agency=staged.agency).first()
    # Feedback that names people, as real feedback does.
    from content import services

    services.comment_add(
        actor=staged.people["team_social"],
        brief=brief,
        text=f"Checked with {adviser.get_full_name()} ({adviser.email}); @{creator.handle} may dance.",
    )
    archive = download(client_for(staged.people["team_social"]), reverse("brief_disclosure", args=[brief.pk]))
    text = "\n".join(text_of(archive, name) for name in archive.namelist())
    leaked = sorted(name for name in names_that_must_not_appear() if re.search(rf"(?i)\b{re.escape(name)}\b", text))
    assert leaked == []
    assert "5.1.2e" in text
    # Content and organisation names stay.
    assert brief.key_message in text
    assert staged.ministry.name in text


def test_the_inventory_lists_every_document(staged, client_for):
    archive = download(
        client_for(staged.people["org_admin"]), reverse("brief_disclosure", args=[staged.stages.posted.pk])
    )
    rows = list(csv.reader(io.StringIO(archive.read("inventory.csv").decode())))
    header, documents = rows[0], rows[1:]
    assert header[:5] == ["number", "brief", "date", "title", "type"]
    listed = {row[5] for row in documents}
    assert listed == {name for name in archive.namelist() if name.endswith(".html")}
    kinds = {row[4] for row in documents}
    assert {"brief", "script-v1", "video-v1", "decisions", "timeline"} <= kinds


def test_the_package_includes_the_briefs_costs(staged, client_for):
    from decimal import Decimal

    from budget import services as budget

    brief = staged.stages.posted
    period = budget.period_create(
        actor=staged.people["team_social"],
        organisation=staged.ministry,
        fields={
            "name": "TikTok H2",
            "starts_on": brief.created_at.date(),
            "ends_on": brief.created_at.date(),
            "amount_excl_vat": Decimal("5125.00"),
            "planned_posts": 52,
        },
    )
    budget.cost_line_create(
        actor=staged.people["team_social"],
        period=period,
        fields={"brief": brief, "kind": "agency_fee", "supplier": "Clips Agency", "amount_excl_vat": Decimal("98.56")},
    )
    archive = download(client_for(staged.people["team_social"]), reverse("brief_disclosure", args=[brief.pk]))
    costs = next(name for name in archive.namelist() if name.endswith("-costs.html"))
    assert "98.56" in archive.read(costs).decode()


def test_a_period_package_holds_every_brief_of_the_period(staged, client_for):
    today = STAGED_AT.astimezone(staged.ministry.zone).date()  # the period is read in the organisation's zone
    client = client_for(staged.people["team_social"])
    archive = download_period(client, today, today)
    references = {name.split("/")[0] for name in archive.namelist() if "/" in name} - {"woo-web"}
    assert len(references) == 5  # draft, with agency, in production, ready, posted


def test_a_disclosure_is_itself_audited(staged, client_for):
    from audit.models import AuditEvent

    download(client_for(staged.people["team_social"]), reverse("brief_disclosure", args=[staged.stages.ready.pk]))
    event = AuditEvent.objects.get(action="brief.disclosed")
    assert event.actor == staged.people["team_social"]


CODE = re.compile(
    r"\b(?:brief|script|video|approval|decision|comment|webcare|slot|budget|stats|tiktok|attachment|focus_group|"
    r"cadence|feed|topic|creator|admin)\.(?!html\b|csv\b|txt\b)[a-z_]+\b"
)


def _timeline_text(html: str) -> str:
    section = html[html.index('id="timeline-heading"') :]
    return re.sub(r"<[^>]+>", " ", section)


def test_no_raw_event_code_on_the_timeline_or_in_the_woo_zip(staged, client_for):
    from decimal import Decimal

    from approvals.services import ApprovalRefused, decide
    from budget import services as budget

    stages = staged.stages
    social = staged.people["team_social"]
    budget.cost_line_create(
        actor=social, period=stages.period, fields={"brief": stages.ready, "kind": "agency_fee", "supplier": "x",
        "amount_excl_vat": Decimal("10.00")},
    )  # fmt: skip
    run = stages.run
    with pytest.raises(ApprovalRefused):  # a refused attempt: not every constraint ticked
        decide(actor=staged.people["adviser"], run_id=run.pk, version_number=run.version.number,
               step_position=run.current_position, verdict="approve", checked_constraint_ids=[])  # fmt: skip
    for brief in (stages.ready, stages.with_agency):
        for language in ("en", "nl", "sv"):
            staged.people["team_social"].language = language
            staged.people["team_social"].save()
            page = client_for(staged.people["team_social"]).get(reverse("brief_detail", args=[brief.pk])).content
            timeline = _timeline_text(page.decode())
            assert not CODE.search(timeline), CODE.search(timeline)
            assert not re.search(r">\s*(ok|refused)\s*<", page.decode())
        archive = download(client_for(staged.people["team_social"]), reverse("brief_disclosure", args=[brief.pk]))
        for name in archive.namelist():
            text = re.sub(r"<[^>]+>", " ", text_of(archive, name))
            assert not CODE.search(text), (name, CODE.search(text))
    english = _timeline_text(
        client_for(staged.people["adviser"]).get(reverse("brief_detail", args=[stages.with_agency.pk])).content.decode()
    )
    assert "Approval attempt refused: Tick every constraint of the brief before you approve." in " ".join(
        english.split()
    )


def test_a_former_reviewer_stays_unnamed_and_both_exports_read_the_same(staged, client_for):
    """A reviewer who left (membership ended) wrote a comment: her name is still removed, in the brief's own
    package and in the period's, which give the same document."""
    from datetime import date

    from accounts.models import Membership
    from content import services

    brief = staged.stages.posted
    reviewer = staged.people["reviewer"]
    services.comment_add(actor=reviewer, brief=brief, text=f"Juridisch akkoord. {reviewer.first_name}")
    Membership.objects.filter(user=reviewer).update(is_active=False, ended_on=date(2026, 11, 24))
    with pytest.raises(ValueError, match="never deleted"):
        Membership.objects.get(user=reviewer).delete()
    client = client_for(staged.people["team_social"])
    one = download(client, reverse("brief_disclosure", args=[brief.pk]))
    today = STAGED_AT.astimezone(staged.ministry.zone).date()
    period = download_period(client, today, today)
    (comments,) = [name for name in one.namelist() if name.endswith("-comments.html")]
    text = one.read(comments).decode()
    assert reviewer.first_name not in text and reviewer.last_name not in text
    (same,) = [name for name in period.namelist() if name.endswith(comments.split("/", 1)[1].split("-", 1)[1])
               and name.startswith(brief.reference)]  # fmt: skip
    assert period.read(same).decode() == text


@pytest.mark.name_detector
def test_names_the_system_cannot_know_are_listed_for_review(staged, client_for, settings):
    from content import services

    brief = staged.stages.posted
    services.webcare_update(
        actor=staged.people["team_social"],
        task=staged.stages.webcare,
        assignee=staged.people["team_social"],
        notes="Mevrouw Annelies Vermeulen vroeg waar ze de prik kan halen; doorverwezen naar de GGD.",
        done=False,
        now=staged.stages.webcare.starts_at,
    )
    services.comment_add(
        actor=staged.people["adviser"], brief=brief, text="Reactie van Pieter de Groot uit Utrecht meegenomen."
    )
    archive = download(client_for(staged.people["team_social"]), reverse("brief_disclosure", args=[brief.pk]))
    readme = archive.read("README.txt").decode()
    assert "NOT removed" in readme
    assert "Pieter de Groot" in readme
    assert staged.people["adviser"].last_name not in readme  # a colleague's name is removed, not listed


def test_document_times_are_in_the_organisations_zone_and_labelled(staged, client_for):
    """The ministry lives in Europe/Amsterdam: a decision at 09:00 UTC in November reads 10:00 CET, as in the app."""
    from approvals.models import Decision

    brief = staged.stages.posted
    decision = Decision.objects.filter(run__brief=brief).order_by("pk").first()
    Decision.objects.filter(pk=decision.pk).update(decided_at=datetime(2026, 11, 23, 23, 30, tzinfo=UTC))
    archive = download(client_for(staged.people["org_admin"]), reverse("brief_disclosure", args=[brief.pk]))
    (decisions,) = [name for name in archive.namelist() if name.endswith("-decisions.html")]
    html = archive.read(decisions).decode()
    assert "2026-11-24 00:30 CET" in html and "23:30" not in html
    assert "Europe/Amsterdam" in html
    (timeline,) = [name for name in archive.namelist() if name.endswith("-timeline.html")]
    assert "When (UTC)" not in archive.read(timeline).decode()


def test_a_briefs_focus_group_tests_are_among_its_documents_with_the_recorders_name_replaced(staged, client_for):
    from datetime import date

    from content import services

    brief = staged.stages.posted
    adviser = staged.people["adviser"]
    services.focus_group_record(
        actor=adviser, brief=brief, tested_on=date(2026, 5, 4), group_description="Youth council, 15-19",
        participants=8, outcome="Liked the idea; wanted shorter clips.",
    )  # fmt: skip
    archive = download(client_for(staged.people["team_social"]), reverse("brief_disclosure", args=[brief.pk]))
    [name] = [name for name in archive.namelist() if name.endswith("-focus-groups.html")]
    document = archive.read(name).decode()
    assert "Liked the idea; wanted shorter clips." in document and "Youth council, 15-19" in document
    assert adviser.last_name not in document and "5.1.2e" in document
    assert name in archive.read("inventory.csv").decode()
