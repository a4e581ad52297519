"""Requests are judged before they are read: oversized bodies refused by their declared size, NUL bytes refused,
and what a logged-in person sees is never kept in a cache. Files on disk are the app's own."""

import stat

import pytest
from django.urls import reverse

from .test_settings import FERNET_KEY, run_python

FORM = "application/x-www-form-urlencoded"


def test_an_anonymous_post_claiming_300_mb_is_refused_unread(client):
    response = client.post(
        reverse("login"), data=b"username=x", content_type=FORM, CONTENT_LENGTH=str(300 * 1024 * 1024)
    )
    assert response.status_code == 413
    assert "too large" in response.content.decode().lower()


def test_an_anonymous_post_over_the_small_limit_is_refused(db, client, settings):
    body = b"username=x&password=" + b"y" * settings.ANONYMOUS_REQUEST_MAX_BYTES
    assert client.post(reverse("login"), data=body, content_type=FORM).status_code == 413
    # An ordinary log-in is far below it.
    assert client.post(reverse("login"), {"username": "x", "password": "y"}).status_code == 200


def test_ordinary_forms_take_a_little_and_only_upload_views_take_a_video(world, client_for, settings):
    from tests.workflow import brief_with_agency

    brief = brief_with_agency(world)
    client = client_for(world.people["agency_member"])
    three_mb = str(3 * 1024 * 1024)
    form = client.post(
        reverse("brief_detail", args=[brief.pk]), data=b"x=1", content_type=FORM, CONTENT_LENGTH=three_mb
    )
    assert form.status_code == 413
    upload = client.post(
        reverse("video_create", args=[brief.pk]), data=b"x=1", content_type=FORM, CONTENT_LENGTH=three_mb
    )
    assert upload.status_code != 413
    too_big = str((settings.VIDEO_MAX_UPLOAD_MB + 2) * 1024 * 1024)
    assert (
        client.post(reverse("video_create", args=[brief.pk]), data=b"x", content_type=FORM, CONTENT_LENGTH=too_big)
    ).status_code == 413


@pytest.mark.parametrize(
    "url",
    [
        "/calendar/feed/abc%00def.ics",
        "/calendar/feed/%00.ics",
        "/accounts/login/?next=%2F%00",
        "/briefs/?status=%00",
        "/%00",
    ],
)
def test_a_nul_byte_anywhere_in_the_address_is_a_clear_400_not_a_500(db, client, url):
    assert client.get(url).status_code in (400, 404)


def test_a_nul_byte_in_a_form_field_is_a_form_error_not_a_500(world, client_for):
    client = client_for(world.people["adviser"])
    response = client.post(reverse("topic_list"), {"name": "Vacci\x00nation", "theme": "health"})
    assert response.status_code in (200, 400)
    assert "Null characters are not allowed" in response.content.decode()


def test_pages_and_exports_of_logged_in_people_are_never_cached(world, client_for):
    signed_in = client_for(world.people["management"])
    for url in (reverse("home"), reverse("brief_list"), reverse("calendar_csv")):
        assert signed_in.get(url)["Cache-Control"] == "no-store", url


def test_in_production_the_cookies_are_host_only_and_secure(tmp_path):
    probe = (
        "import json, django; django.setup(); from django.conf import settings as s; print(json.dumps("
        "[s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE]))"
    )
    result = run_python(
        probe,
        tmp_path,
        DJANGO_ENV="production",
        SECRET_KEY="z" * 60,
        ALLOWED_HOSTS="planner.example.org",
        REDIS_URL="redis://127.0.0.1:6379/0",
        TOKEN_ENCRYPTION_KEY=FERNET_KEY,
        AUDIT_SIGNING_KEY="a-signing-key-for-the-audit-trail",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == '["__Host-sessionid", "__Host-csrftoken", true, true]'


def test_the_embedded_database_is_readable_by_the_app_only(tmp_path):
    result = run_python(
        "import django; django.setup(); from django.db import connection; connection.ensure_connection()", tmp_path
    )
    assert result.returncode == 0, result.stderr
    database = tmp_path / "data" / "db.sqlite3"
    assert stat.S_IMODE(database.stat().st_mode) == 0o600


def test_every_page_carries_the_browser_protections(world, client_for):
    response = client_for(world.people["adviser"]).get(reverse("brief_list"))
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
