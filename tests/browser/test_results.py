"""Team social connects the channel to TikTok in a real browser (the CSP must let it go there)."""

import os
import re

import pytest

from accounts.models import User
from home.demo.world import seed_demo_world
from stats.models import ChannelConnection
from stats.simulator import Simulator, serve

from .conftest import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_team_social_connects_the_channel_to_tiktok(browser, live_server, settings):
    simulator = Simulator()
    simulator.add_account("demo-minvws", "Ministerie van VWS", 14_500, username="minvws")
    server, url = serve(simulator)
    settings.TIKTOK_API_BASE_URL = url
    settings.TIKTOK_AUTHORIZE_URL = f"{url}/v2/auth/authorize/"
    settings.TIKTOK_CLIENT_KEY, settings.TIKTOK_CLIENT_SECRET = simulator.client_key, simulator.client_secret
    # The CSP is built from the settings at start-up; allow the simulator's origin as TikTok's here.
    settings.CONTENT_SECURITY_POLICY = settings.CONTENT_SECURITY_POLICY | {
        "DIRECTIVES": settings.CONTENT_SECURITY_POLICY["DIRECTIVES"] | {"form-action": ["'self'", url]}
    }
    try:
        seed_demo_world()
        User.objects.update(language="en")
        context = browser.new_context(base_url=live_server.url)  # no CSP bypass: the real policy applies
        page = context.new_page()
        log_in(page, "vws-social")
        page.goto("/results/")
        page.get_by_role("button", name="Connect TikTok").click()
        page.wait_for_url(re.compile(r"/results/channels/\d+/$"))
        assert "The channel is connected to TikTok." in page.content()
        assert ChannelConnection.objects.get().open_id == "demo-minvws"
        context.close()
        axe_context = browser.new_context(base_url=live_server.url, bypass_csp=True)
        axe_page = axe_context.new_page()
        log_in(axe_page, "vws-social")
        axe_page.goto("/results/")
        assert_accessible(axe_page)
        axe_context.close()
    finally:
        server.shutdown()
        server.server_close()


def test_results_pages_and_a_refused_import_are_accessible(browser, live_server, tmp_path):
    """The results page, a video's page, the report and the import page with its list of problems:
    charts with their tables pass axe, and a bad file shows what is wrong and imports nothing."""
    from django.core.management import call_command

    from content.models import Posting
    from stats.models import VideoSnapshot

    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115 - closed with the process
    User.objects.update(language="en")
    posting = Posting.objects.filter(snapshots__isnull=False).distinct().first()
    snapshots = VideoSnapshot.objects.count()
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    log_in(page, "vws-social")
    report = f"/results/channels/{posting.brief.channel_id}/report/"
    for path in ("/results/", f"/results/videos/{posting.pk}/", report):
        page.goto(path)
        assert page.locator("svg[role=img]").count() >= 1, path
        assert_accessible(page)

    bad = tmp_path / "studio.csv"
    bad.write_text(f"Video ID,Views,Likes,Comments,Shares\n{posting.tiktok_video_id},-1,2,3,4\n123456789,1,2,3,4\n")
    page.goto(f"/results/channels/{posting.brief.channel_id}/import/")
    page.set_input_files("#id_file", str(bad))
    page.locator("form.planner-form button[type=submit]").click()
    page.wait_for_load_state()
    alert = page.get_by_role("alert")
    assert "Nothing was imported: the file has 2 problems." in alert.inner_text()
    assert "Row 2: Views cannot be negative." in alert.inner_text()
    assert_accessible(page)
    assert VideoSnapshot.objects.count() == snapshots
    context.close()
