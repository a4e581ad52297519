"""The README's production section, run as written: production settings, migrate into a fresh PostgreSQL
database, compile the catalogues, collectstatic, check --deploy, gunicorn; then the login page answers 200
with its stylesheets served by WhiteNoise, and /health/ answers 200. On the real services only (CI)."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid

import httpx
import pytest
from django.conf import settings

from .test_settings import BASE_DIR, FERNET_KEY, SERVICE_VARIABLES

pytestmark = [
    pytest.mark.deploy,
    pytest.mark.skipif(
        not (settings.REDIS_URL and os.environ.get("DATABASE_URL", "").startswith("postgres")),
        reason="the production path runs on PostgreSQL and Redis (CI)",
    ),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _psql(sql: str, server_url: str) -> None:
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(sql)


@pytest.fixture
def production_env(tmp_path):
    server = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    database = f"planner_production_{uuid.uuid4().hex[:8]}"
    _psql(f"CREATE DATABASE {database}", f"{server}/postgres")
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES}
    env |= {
        "DJANGO_SETTINGS_MODULE": "tiktokplanner.settings",
        "DJANGO_ENV": "production",
        "SECRET_KEY": "production-path-test-" + uuid.uuid4().hex * 2,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"{server}/{database}",
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "REDIS_KEY_PREFIX": f"production-test-{uuid.uuid4().hex[:6]}",
        "TOKEN_ENCRYPTION_KEY": FERNET_KEY,
        "AUDIT_SIGNING_KEY": "production-path-test-" + uuid.uuid4().hex,
        "DATA_DIR": str(tmp_path / "data"),
        "STATIC_ROOT": str(tmp_path / "staticfiles"),
        # Behind the documented TLS proxy, which says the request came in over HTTPS.
        "TRUST_X_FORWARDED_PROTO": "true",
        "PROXY_COUNT": "1",
    }
    yield env
    _psql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)", f"{server}/postgres")


def _manage(env, *args):
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result


def test_the_readme_production_path_serves_the_login_page_with_its_css(production_env):
    _manage(production_env, "migrate", "--noinput", "-v0")
    _manage(production_env, "catalogues")
    _manage(production_env, "collectstatic", "--noinput", "-v0")
    _manage(production_env, "check", "--deploy", "--fail-level", "WARNING")
    port = _free_port()
    gunicorn = subprocess.Popen(
        [f"{os.path.dirname(sys.executable)}/gunicorn", "tiktokplanner.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--timeout", "30"],
        cwd=BASE_DIR, env=production_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
        for _ in range(100):
            try:
                health = httpx.get(f"{base}/health/", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not answer")
        assert health.status_code == 200, health.text
        login = httpx.get(f"{base}/accounts/login/", headers=headers, timeout=10)
        assert login.status_code == 200, login.text[:500]
        stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', login.text)
        assert len(stylesheets) >= 3 and all(re.search(r"\.[0-9a-f]{12}\.css$", href) for href in stylesheets)
        for href in stylesheets:
            css = httpx.get(f"{base}{href}", headers=headers, timeout=10)
            assert css.status_code == 200 and css.headers["content-type"].startswith("text/css"), href
            assert "immutable" in css.headers["cache-control"]  # WhiteNoise's answer for a hashed file
        # __Host- cookies: only from this host, over HTTPS, for the whole site.
        cookies = login.headers.get_list("set-cookie")
        assert any(c.startswith("__Host-csrftoken=") and "Secure" in c and "Path=/" in c for c in cookies), cookies
        # A body that claims 300 MB is refused before it is read (and the documented proxy caps it before that).
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            raw.sendall(
                b"POST /accounts/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 314572800\r\n\r\nusername=x"
            )
            assert raw.recv(64).startswith(b"HTTP/1.1 413")
        plain = httpx.get(f"{base}/accounts/login/", timeout=10)
        assert plain.status_code == 301 and plain.headers["location"].startswith("https://")
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        output, _ = gunicorn.communicate(timeout=30)
    assert "Traceback" not in output, output
