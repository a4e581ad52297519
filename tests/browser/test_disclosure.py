"""Team social asks for a period's Woo package in a real browser: the page lists it while a worker makes it, the
list updates itself (a script from our own origin, under the real CSP) and the finished ZIP downloads."""

import re
import zipfile

import pytest
from django.utils import timezone

from accounts.models import User
from disclosure import tasks
from disclosure.models import DisclosureExport, ExportStatus
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
    context.close()

    checked = browser.new_context(base_url=live_server.url, bypass_csp=True)
    page = checked.new_page()
    log_in(page, "vws-social")
    page.goto("/disclosure/packages/")
    assert_accessible(page)
    checked.close()
