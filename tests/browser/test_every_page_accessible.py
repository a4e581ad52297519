"""An axe crawl: every page each demo role can reach (one page per kind of address, following the links of each
page from the home page, organisation settings included) passes WCAG 2.1 AA. Problems are gathered over all roles
and pages and reported together."""

import io
import re
from urllib.parse import urlparse

import pytest
from django.core.management import call_command
from playwright.sync_api import Error as PlaywrightError

from home.demo.world import AGENCY_USERNAME, ROLE_USERS

from .conftest import AXE_SCRIPT, WCAG_TAGS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The Dutch ministry's roles and the agency; the Swedish municipality's team social and admin for its language.
USERS = [f"vws-{suffix}" for suffix in ROLE_USERS] + [AGENCY_USERNAME, "nykvarn-social", "nykvarn-admin"]
# Not pages: leaving, switching, Django's own admin (superusers only) and files.
SKIP = re.compile(
    r"^/(accounts/logout|admin/|i18n/|static/|media/)|/(file|download|export|feed)/|\.(csv|xlsx|ics|pdf|zip)|^https?:"
)
PAGES_PER_ROLE = 60


def _kind(path: str) -> str:
    """One page per kind of address: /briefs/12/ and /briefs/13/ are the same page."""
    return re.sub(r"\d+", "N", path.split("?")[0])


def _violations(page) -> list[str]:
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", WCAG_TAGS
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} → {[node['target'] for node in v['nodes']][:3]}"
        for v in result["violations"]
    ]


def _crawl(page) -> dict[str, list[str]]:
    seen, queue, found = set(), ["/"], {}
    while queue and len(found) < PAGES_PER_ROLE:
        url = queue.pop(0)
        if _kind(url) in seen or SKIP.search(url):
            continue
        seen.add(_kind(url))
        try:
            response = page.goto(url)
        except PlaywrightError as error:  # a link to a file (a disclosure package) starts a download: no page
            if "Download is starting" in str(error):
                continue
            raise
        if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        found[urlparse(page.url).path + (f"?{urlparse(page.url).query}" if urlparse(page.url).query else "")] = (
            _violations(page)
        )
        links = page.locator("a[href^='/']").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        queue.extend(link.split("#")[0] for link in links if _kind(link) not in seen)
    return found


def test_every_page_every_role_reaches_passes_axe(browser, live_server):
    call_command("seed_demo", stdout=io.StringIO())
    problems, visited = [], {}
    for username in USERS:
        context = browser.new_context(
            base_url=live_server.url, bypass_csp=True, viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        log_in(page, username)
        pages = _crawl(page)
        context.close()
        visited[username] = len(pages)
        problems += [f"{username} {url}: {problem}" for url, found in pages.items() for problem in found]
    assert all(count >= 5 for count in visited.values()), visited
    assert problems == [], f"{len(problems)} WCAG problems:\n" + "\n".join(problems)
