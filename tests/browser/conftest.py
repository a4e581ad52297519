"""Playwright with the system Chromium, and axe-core (from npm) for WCAG 2.1 AA checks.

Without Chromium the browser tests are skipped with a clear message, unless REQUIRE_BROWSER=1 (CI),
where that is a failure.
"""

import os
import re
import shutil
import time
from pathlib import Path

import pytest

AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# As the machine's notes advise: no background traffic, which the closed network would refuse.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _unavailable(reason: str):
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(f"Browser tests skipped: {reason}. Install it with `apt-get install chromium`.")


@pytest.fixture(scope="session")
def browser():
    executable = _chromium()
    if executable is None:
        _unavailable("no Chromium was found on PATH")
    if not AXE_SCRIPT.exists():
        _unavailable(f"axe-core is missing at {AXE_SCRIPT} (run `npm ci`)")
    # Playwright's sync API keeps an event loop running in this thread; Django's ORM refuses to run
    # next to one unless told that this test thread is not an async context it could corrupt.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield instance
        instance.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser, live_server):
    # bypass_csp only so that axe-core can be injected; the app's own pages run under the real CSP.
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def assert_accessible(page):
    """Run axe-core on the current page and fail with a readable list of WCAG 2.1 AA violations."""
    page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} → {[node['target'] for node in v['nodes']][:5]}"
        for v in result["violations"]
    ]
    assert problems == [], f"axe found WCAG violations on {page.url}:\n" + "\n".join(problems)


def log_in(page, username, *, check=False):
    """Log in as a demo user through both steps (password, then the authenticator app's code for the demo's
    shared secret) and wait for the home page; ``check``: run axe on both log-in pages too (needs a context
    that bypasses the CSP, which forbids injecting axe)."""
    from home.demo.world import DEMO_PASSWORD

    page.goto("/accounts/login/")
    if check:
        assert_accessible(page)
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.locator("form.planner-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/second-factor/"))
    if check:
        assert_accessible(page)
    page.fill("#id_token", next_code(username))
    page.locator("form.planner-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/$"))


def next_code(username: str) -> str:
    """The code the user's authenticator app shows now, or the next one when this one was just used (a code
    works once: a second log-in within 30 seconds takes the following one, which the server still accepts)."""
    from binascii import unhexlify

    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    totp = TOTP(unhexlify(device.key), device.step, device.t0, device.digits)
    now = totp.t()
    if device.last_t >= now + 1:  # both this code and the next are used: wait for the one after
        time.sleep((now + 1) * device.step + device.t0 - time.time() + 0.5)
        now = totp.t()
    step = max(now, device.last_t + 1)
    totp.time = step * device.step + device.t0
    return f"{totp.token():0{device.digits}d}"
