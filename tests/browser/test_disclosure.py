"""Team social asks for a period's Woo package in a real browser: the page lists it while a worker makes it, the
list updates itself (a script from our own origin, under the real CSP) and the finished ZIP downloads."""

import io
import re
import zipfile

import openpyxl
import pytest
from django.utils import timezone

from accounts.models import User
from content.models import Brief
from disclosure import tasks, woo_web
from disclosure.models import DisclosureExport, DisclosureRequest, ExportStatus
from home.demo.content import seed_demo_content
from home.demo.world import seed_demo_world

from .conftest import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_team_social_asks_for_a_period_package_and_downloads_it_when_ready(browser, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_demo_world()
    seed_demo_content(now=timezone.now())
    User.objects.update(language="en")

    # axe needs the CSP bypassed to inject itself: check the pages here ...
    checked = browser.new_context(base_url=live_server.url, bypass_csp=True)
    page = checked.new_page()
    log_in(page, "vws-social")
    page.goto("/disclosure/")
    assert_accessible(page)
    checked.close()

    # ... and use them under the real policy, which must let the refresh script run.
    context = browser.new_context(base_url=live_server.url, accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, "vws-social")
    page.goto("/disclosure/")
    page.get_by_label("From").fill("2000-01-01")
    page.get_by_label("Until").fill("2099-12-31")
    page.get_by_role("button", name="Make the package").click()
    page.wait_for_url(re.compile(r"/disclosure/packages/$"))
    export = DisclosureExport.objects.get()
    row = page.locator(f"[data-package='{export.pk}']")
    assert "Waiting for a worker" in row.inner_text()

    assert tasks.build_export(export.pk) == ExportStatus.DONE  # the worker, here in the test
    link = row.get_by_role("link", name=re.compile(r"^Download woo-"))
    link.wait_for()  # the page was not reloaded: the script put the finished row in place
    assert "Ready to download" in row.inner_text()
    assert "Ready to download" in page.locator("#packages-announcement").inner_text()
    with page.expect_download() as download:
        link.click()
    path = download.value.path()
    with zipfile.ZipFile(path) as archive:
        assert "inventory.csv" in archive.namelist()
        assert len(archive.namelist()) > 2
        # The ministry's package loads into the government's Woo platform: its production report opens as a
        # workbook with exactly woo-web's columns.
        report = openpyxl.load_workbook(io.BytesIO(archive.read("woo-web/productierapport.xlsx"))).active
        assert next(report.iter_rows(values_only=True)) == tuple(woo_web.COLUMNS)
        assert report.max_row > 1
    context.close()

    checked = browser.new_context(base_url=live_server.url, bypass_csp=True)
    page = checked.new_page()
    log_in(page, "vws-social")
    page.goto("/disclosure/packages/")
    assert_accessible(page)
    checked.close()


def test_the_municipality_registers_a_request_masks_a_passage_under_osl_and_downloads_the_package(
    browser, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_demo_world()
    seed_demo_content(now=timezone.now())
    User.objects.update(language="en")
    brief = Brief.objects.filter(organisation__slug="nykvarn").order_by("number").first()
    passage = brief.title

    context = browser.new_context(base_url=live_server.url, accept_downloads=True, bypass_csp=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    log_in(page, "nykvarn-social")
    page.get_by_role("link", name="Disclosure", exact=True).first.click()
    page.get_by_role("link", name="Register a request").click()
    assert_accessible(page)
    page.get_by_label("Who asked").fill("Kim Reporter, Nykvarns Tidning")
    page.get_by_label("What is asked for").fill("Everything about this year's videos")
    page.get_by_label("From").fill("2000-01-01")
    page.get_by_label("Until").fill("2099-12-31")
    page.get_by_role("button", name="Register the request").click()
    page.wait_for_url(re.compile(r"/disclosure/requests/\d+/$"))
    request = DisclosureRequest.objects.latest("pk")  # the demo has one already
    assert (
        request.requester.startswith("Kim")
        and request.jurisdiction == "SE"
        and "Open for 0 days" in page.locator("main").inner_text()
    )

    page.get_by_label("Passage to mask").fill(passage)
    page.get_by_label("Provision").select_option("21 kap. 7 § OSL")
    page.get_by_label("Why").fill("Personal data that may not be spread further")
    page.get_by_role("button", name="Mask the passage").click()
    row = page.locator("[data-masking]", has_text="21 kap. 7 § OSL")  # beside the demo request's, carried over
    row.wait_for()
    assert "21 kap. 7 § OSL" in row.inner_text()
    assert_accessible(page)

    # Recording the decision fixes the masked passages and makes the final package, dated, to send.
    page.get_by_label("Decision", exact=True).fill("Released with one passage masked; sent by e-mail.")
    page.get_by_role("button", name="Record the decision").click()
    page.wait_for_url(re.compile(r"/disclosure/requests/\d+/$"))
    export = DisclosureExport.objects.get(request=request)
    assert tasks.build_export(export.pk) == ExportStatus.DONE  # the worker, here in the test
    page.reload()
    link = page.get_by_role("link", name=re.compile(r"^Download handlingar-"))
    assert "final" in page.locator("#package ~ ul").inner_text()
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == f"handlingar-{request.reference}.zip"  # public records, not "woo"
    with zipfile.ZipFile(download.value.path()) as archive:
        documents = {name: archive.read(name).decode() for name in archive.namelist() if name.endswith(".html")}
    brief_document = next(text for name, text in documents.items() if name.startswith(f"{brief.reference}/"))
    assert passage not in brief_document and "[masked: 21 kap. 7 § OSL]" in brief_document
    staff = User.objects.get(username="nykvarn-social").get_full_name()
    assert any(staff in text for text in documents.values())  # the municipality's staff are not masked
    assert "21 kap. 7 § OSL" in documents["decision.html"] and "Kim Reporter" in documents["request.html"]
    assert (
        "draft" not in documents["decision.html"] and "Released with one passage masked" in documents["decision.html"]
    )
    context.close()
