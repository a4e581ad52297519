"""Health: liveness (the process answers) and readiness (the database answers; the queue being down is
"degraded", not a reason to take the node out of the load balancer)."""

import json

from django.urls import reverse

from core.tasks import record_heartbeat

from .test_settings import run_python


def test_health_answers_200_when_database_and_broker_answer(db, client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() | {"worker_last_seen": None} == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "worker_last_seen": None,
        "worker_heartbeat_age_seconds": None,
    }
    assert client.get(reverse("health_ready")).json() == response.json()


def test_without_the_queue_the_node_stays_in_the_load_balancer_as_degraded(db, client, settings):
    # Port 1 on loopback: nothing listens there, so the connection is refused at once.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["broker"] == "unavailable"
    assert response.json()["database"] == "ok"


def test_without_the_database_the_node_is_not_ready_but_alive(tmp_path):
    probe = (
        "import json, django; django.setup(); from django.test import Client; c = Client(); "
        "r = c.get('/health/ready/'); l = c.get('/health/live/'); "
        "print(json.dumps([r.status_code, r.json()['status'], r.json()['database'], l.status_code]))"
    )
    result = run_python(probe, tmp_path, DATABASE_URL="postgres://postgres@127.0.0.1:1/nowhere")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [503, "unavailable", "unavailable", 200]


def test_health_reports_when_a_worker_last_ran_the_heartbeat_and_how_long_ago(db, client):
    assert client.get(reverse("health")).json()["worker_last_seen"] is None
    record_heartbeat()
    body = client.get(reverse("health")).json()
    assert body["worker_last_seen"] is not None
    assert 0 <= body["worker_heartbeat_age_seconds"] < 60
