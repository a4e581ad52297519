"""Every page each demo role can reach, in Dutch and in Swedish, shows no English: the crawl follows the links of
each page (one page per kind of address), and searches the text for the catalogue's source strings, which a
translated page must not show. A string left out of the catalogue, or shown without gettext, is found here."""

import io
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command

from accounts.models import User
from home.demo.world import AGENCY_USERNAME, ORGANISATIONS, ROLE_USERS
from tests.world import log_in_verified

pytestmark = pytest.mark.django_db
MOMENT = datetime(2026, 11, 24, 9, tzinfo=UTC)
USERS = [f"{slug}-{suffix}" for slug in ORGANISATIONS for suffix in ROLE_USERS] + [AGENCY_USERNAME]
# Not pages to read: leaving, switching, Django's own admin (for superusers, in English by design) and files.
SKIP = re.compile(
    r"^/(accounts/logout|admin/|i18n/|static/|media/)|/(file|download|export|feed)/|\.(csv|xlsx|ics|pdf|zip)"
)
PAGES_PER_ROLE = 80
# Source strings that read the same in English and in the language, or that are names, not words.
SAME_IN_BOTH = {
    "TikTok Planner",
    "English",  # the language menu names each language in its own language
    "Creator",  # a Dutch loanword, in the demo's Dutch scripts (which a Swedish-speaking viewer reads as written)
    "creator",
    "organisations",  # Swedish too: "Din organisations kanaler"
    "brief",  # Dutch too (a letter), in the demo's Dutch texts
    "agency",  # the demo agency person's user name (and e-mail address), on the admin's list of people and mails
}
NAMES = ("Google Calendar",)  # products, named as they are called
MIN_LENGTH = 4


def _source_strings(language: str) -> list[str]:
    """The English source strings whose translation differs (one that reads the same, like "Video" in Dutch, is
    no sign of English), without placeholders (their text is split around them)."""
    catalogue = polib.pofile(str(Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po"))
    found = set()
    for entry in catalogue:
        if entry.obsolete or entry.msgid_plural or "%" in entry.msgid or "{" in entry.msgid or "\n" in entry.msgid:
            continue
        if entry.msgstr == entry.msgid or entry.msgid in SAME_IN_BOTH or len(entry.msgid) < MIN_LENGTH:
            continue
        found.add(entry.msgid)
    return sorted(found, key=len, reverse=True)


class _Page(HTMLParser):
    """The page's readable text (no scripts, styles or hidden inputs) and its same-site links."""

    def __init__(self):
        super().__init__()
        self.text, self.links, self._skip = [], [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "a" and (attrs.get("href") or "").startswith("/"):
            self.links.append(attrs["href"].split("#")[0])
        for name in ("aria-label", "title", "alt", "placeholder"):
            if attrs.get(name):
                self.text.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.text.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def _shows(source: str, text: str) -> bool:
    """``source`` as words of ``text`` (case and word boundaries count: "Topic" is not in "Topics")."""
    return source in text and re.search(r"(?<!\w)" + re.escape(source) + r"(?!\w)", text) is not None


def _around(source: str, text: str) -> str:
    at = text.find(source)
    return text[max(at - 50, 0) : at + len(source) + 50]


def _kind(path: str) -> str:
    """One page per kind of address: /briefs/12/ and /briefs/13/ are the same page."""
    return re.sub(r"\d+", "N", path.split("?")[0])


def _crawl(client, language):
    seen, queue, pages = set(), ["/"], {}
    while queue and len(pages) < PAGES_PER_ROLE:
        url = queue.pop(0)
        if _kind(url) in seen or SKIP.search(url):
            continue
        seen.add(_kind(url))
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        parser = _Page()
        parser.feed(response.content.decode())
        text = " ".join(" ".join(parser.text).split())
        for name in NAMES:
            text = text.replace(name, "")
        pages[url] = text
        queue.extend(link for link in parser.links if _kind(link) not in seen)
    return pages


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), time_machine.travel(MOMENT, tick=False):
        call_command("seed_demo", stdout=io.StringIO())
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.mark.parametrize("language", ["nl", "sv"])
@pytest.mark.parametrize("username", USERS)
def test_no_english_on_any_page_a_role_reaches(demo, client, username, language):
    user = User.objects.get(username=username)
    user.language = language
    user.save(update_fields=["language"])
    with time_machine.travel(MOMENT, tick=True):
        log_in_verified(client, user)
        pages = _crawl(client, language)
    assert len(pages) >= 5, pages.keys()
    sources = _source_strings(language)
    english = sorted({(url, source) for url, text in pages.items() for source in sources if _shows(source, text)})
    assert english == [], "\n".join(f"{url}: {source!r} in …{_around(source, pages[url])}…" for url, source in english)


def test_the_search_can_find_english():
    """Guard against a check that passes vacuously: an English page has the catalogue's strings."""
    parser = _Page()
    parser.feed("<p>Nothing is waiting for you right now.</p>")
    text = " ".join(parser.text)
    assert "Nothing is waiting for you right now." in [
        source for source in _source_strings("nl") if _shows(source, text)
    ]
