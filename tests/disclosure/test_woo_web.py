"""A Dutch organisation's package also in the form of the government's Woo platform (minvws/nl-rdo-woo-web): the
production report's exact columns, each document a PDF named by its ID, posted TikToks already public."""

import io
import re

import openpyxl
import pytest
from django.urls import reverse

from accounts.models import Organisation
from disclosure import woo_web

from .test_disclosure import download, staged  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

# How woo-web reads a document's ID from its file name (src/Domain/Upload/Process/DocumentNumberExtractor.php).
WOO_WEB_ID = re.compile(r"^([a-zA-Z0-9]+)")


def _report(archive) -> tuple[list, list[dict]]:
    sheet = openpyxl.load_workbook(io.BytesIO(archive.read("woo-web/productierapport.xlsx"))).active
    header, *rows = [list(row) for row in sheet.values]
    return header, [dict(zip(header, row, strict=True)) for row in rows]


def test_the_production_report_has_exactly_woo_webs_columns_and_the_files_are_named_by_their_ids(
    staged,  # noqa: F811
    client_for,
):
    posted = staged.stages.posted
    archive = download(client_for(staged.people["team_social"]), reverse("brief_disclosure", args=[posted.pk]))
    header, rows = _report(archive)
    assert header == [
        "ID", "Matter", "Family ID", "Email Thread ID", "Document", "File type", "Datum", "Beoordeling",
        "Opgeschort", "Beoordelingsgrond", "Toelichting", "Publieke link", "Gerelateerd ID", "Zaaknummer",
    ]  # fmt: skip
    files = {name.removeprefix("woo-web/") for name in archive.namelist() if name.startswith("woo-web/")}
    files.discard("productierapport.xlsx")
    documents = [row for row in rows if row["File type"] == "pdf"]
    # Every document has its file and every file its row; the ID woo-web reads from the file name is the row's.
    assert {f"{row['ID']}.pdf" for row in documents} == files
    assert all(WOO_WEB_ID.match(name)[1] == name.removesuffix(".pdf") for name in files)
    assert len({row["ID"] for row in rows}) == len(rows)
    assert all(archive.read(f"woo-web/{name}").startswith(b"%PDF-") for name in files)
    # As many documents as the package's own inventory lists.
    assert len(documents) == len([name for name in archive.namelist() if name.endswith(".html")])
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["Datum"]) for row in rows)
    assert {row["Matter"] for row in rows} == {rows[0]["Matter"]} and len(rows[0]["Matter"]) >= 2


def test_names_replaced_make_a_document_partly_public_on_ground_5_1_2e_and_the_tiktok_is_already_public(
    staged,  # noqa: F811
    client_for,
):
    posted = staged.stages.posted
    archive = download(client_for(staged.people["team_social"]), reverse("brief_disclosure", args=[posted.pk]))
    _, rows = _report(archive)
    judgements = {row["Beoordeling"] for row in rows}
    assert judgements <= {"Openbaar", "Deels openbaar", "Reeds openbaar"} and "Deels openbaar" in judgements
    for row in rows:
        assert (row["Beoordelingsgrond"] == "5.1.2e;") == (row["Beoordeling"] == "Deels openbaar")
    (tiktok,) = [row for row in rows if row["Beoordeling"] == "Reeds openbaar"]
    assert tiktok["Publieke link"] == posted.posting.tiktok_url and tiktok["File type"] == "video"
    assert tiktok["ID"] == woo_web.posting_id(posted)
    first = rows[0]["ID"]
    assert all(row["Gerelateerd ID"] in ("", None, first) for row in rows)


def test_a_swedish_organisations_package_has_no_woo_web_form(staged, client_for):  # noqa: F811
    Organisation.objects.filter(pk=staged.ministry.pk).update(country="SE")
    archive = download(
        client_for(staged.people["team_social"]), reverse("brief_disclosure", args=[staged.stages.posted.pk])
    )
    assert not [name for name in archive.namelist() if name.startswith("woo-web/")]
    assert "woo-web" not in archive.read("README.txt").decode()
