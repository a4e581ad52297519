"""The three ways the settings run: embedded default, real services (CI), production."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

BASE_DIR = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], 'name': str(s.DATABASES['default']['NAME']),"
    " 'broker': s.CELERY_BROKER_URL, 'debug': s.DEBUG, 'cache': s.CACHES['default']['BACKEND']}))"
)
# Stripped from the child's environment so each test states exactly what it sets.
FERNET_KEY = "Zm9yLXRlc3RzLW9ubHktYS0zMi1ieXRlLWtleS0xMjM="  # a well-formed key, for tests only
SERVICE_VARIABLES = {
    "TOKEN_ENCRYPTION_KEY",
    "AUDIT_SIGNING_KEY",
    "TIKTOK_AUTHORIZE_URL",
    "TIKTOK_API_BASE_URL",
    "DATABASE_URL",
    "REDIS_URL",
    "DJANGO_ENV",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DEBUG",
    "DATA_DIR",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def run_python(code_or_args, tmp_path, **env):
    clean = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES}
    clean.update({"DJANGO_SETTINGS_MODULE": "tiktokplanner.settings", "DATA_DIR": str(tmp_path / "data"), **env})
    args = ["-c", code_or_args] if isinstance(code_or_args, str) else code_or_args
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=120, check=False
    )


def test_embedded_default_needs_no_services(tmp_path):
    result = run_python(PROBE, tmp_path)
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout)
    assert probe["engine"] == "django.db.backends.sqlite3"
    assert probe["name"] == str(tmp_path / "data" / "db.sqlite3")
    assert probe["broker"] == "filesystem://"
    assert probe["debug"] is False
    assert (tmp_path / "data" / "celery" / "queue").is_dir()
    # The development secret key is generated into the data folder, not written in the code.
    assert len((tmp_path / "data" / "secret_key").read_text()) >= 50


def test_database_url_and_redis_url_switch_to_the_real_services(tmp_path):
    result = run_python(
        PROBE,
        tmp_path,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/planner",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout)
    assert probe["engine"] == "django.db.backends.postgresql"
    assert probe["broker"] == "redis://127.0.0.1:6379/0"
    assert probe["cache"] == "django.core.cache.backends.redis.RedisCache"


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "SECRET_KEY"),
        ("ALLOWED_HOSTS", "ALLOWED_HOSTS"),
        ("REDIS_URL", "REDIS_URL"),
        ("TOKEN_ENCRYPTION_KEY", "TOKEN_ENCRYPTION_KEY"),
        ("AUDIT_SIGNING_KEY", "AUDIT_SIGNING_KEY"),
    ],
)
def test_production_refuses_to_start_without_required_settings(tmp_path, missing, message):
    env = {
        "DJANGO_ENV": "production",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "planner.example.org",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "TOKEN_ENCRYPTION_KEY": FERNET_KEY,
        "AUDIT_SIGNING_KEY": "z" * 40,
    }
    del env[missing]
    result = run_python(PROBE, tmp_path, **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_passes_the_deployment_check(tmp_path):
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        DJANGO_ENV="production",
        SECRET_KEY="a-production-secret-key-that-is-long-and-random-" + "q8Zr4vKx9LmPw2Ts7Nc1",
        ALLOWED_HOSTS="planner.example.org",
        REDIS_URL="redis://127.0.0.1:6379/0",
        TOKEN_ENCRYPTION_KEY=FERNET_KEY,
        AUDIT_SIGNING_KEY="a-signing-key-for-the-audit-trail",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_turns_debug_off_even_when_asked(tmp_path):
    result = run_python(
        PROBE,
        tmp_path,
        DJANGO_ENV="production",
        DEBUG="true",
        SECRET_KEY="y" * 60,
        ALLOWED_HOSTS="planner.example.org",
        REDIS_URL="redis://127.0.0.1:6379/0",
        TOKEN_ENCRYPTION_KEY=FERNET_KEY,
        AUDIT_SIGNING_KEY="a-signing-key-for-the-audit-trail",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["debug"] is False


@pytest.mark.django_db
def test_suite_runs_on_postgresql_and_redis_in_ci():
    """On CI (.ci/run) the suite itself must run against the real services, not the embedded ones."""
    if not os.environ.get("DATABASE_URL"):
        if os.environ.get("CI"):
            pytest.fail("CI must run the suite with DATABASE_URL (PostgreSQL) and REDIS_URL set")
        pytest.skip("DATABASE_URL is not set: running on the embedded SQLite default")
    assert connection.vendor == "postgresql"
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    from core.health import broker_ok

    assert broker_ok()


def test_the_csp_lets_the_connect_form_go_to_tiktoks_consent_page(tmp_path):
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']))"
    )
    result = run_python(code, tmp_path, TIKTOK_AUTHORIZE_URL="http://127.0.0.1:8765/v2/auth/authorize/")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["'self'", "http://127.0.0.1:8765"]
    default = json.loads(run_python(code, tmp_path).stdout)
    assert default == ["'self'", "https://www.tiktok.com"]
