from django.urls import reverse

from core.tasks import record_heartbeat


def test_health_answers_200_when_database_and_broker_answer(db, client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() | {"worker_last_seen": None} == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "worker_last_seen": None,
    }


def test_health_answers_503_when_the_broker_is_down(db, client, settings):
    # Port 1 on loopback: nothing listens there, so the connection is refused at once.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["broker"] == "unavailable"
    assert response.json()["database"] == "ok"


def test_health_reports_when_a_worker_last_ran_the_heartbeat(db, client):
    assert client.get(reverse("health")).json()["worker_last_seen"] is None
    record_heartbeat()
    assert client.get(reverse("health")).json()["worker_last_seen"] is not None
