"""The embedded default runs a real Celery worker without Redis (kombu's filesystem transport)."""

import os
import sqlite3
import subprocess
import sys
import time

from tests.core.test_settings import BASE_DIR, SERVICE_VARIABLES


def _env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES}
    env.update({"DJANGO_SETTINGS_MODULE": "tiktokplanner.settings", "DATA_DIR": str(tmp_path / "data")})
    return env


def test_a_task_sent_without_redis_is_run_by_a_real_worker(tmp_path):
    env = _env(tmp_path)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=BASE_DIR, env=env, check=True, timeout=120
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "tiktokplanner", "worker", "--pool=solo", "--loglevel=WARNING"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        subprocess.run(
            [
                sys.executable,
                "-c",
                "import django; django.setup(); from core.tasks import record_heartbeat; record_heartbeat.delay()",
            ],
            cwd=BASE_DIR,
            env=env,
            check=True,
            timeout=60,
        )
        database = tmp_path / "data" / "db.sqlite3"
        deadline = time.monotonic() + 60
        rows = []
        while time.monotonic() < deadline and not rows:
            with sqlite3.connect(database) as connection:
                rows = connection.execute("SELECT name FROM core_workerheartbeat").fetchall()
            if not rows:
                assert worker.poll() is None, worker.stdout.read().decode()
                time.sleep(0.5)
        assert rows == [("celery",)]
    finally:
        worker.terminate()
        worker.wait(timeout=30)
