"""Liveness and readiness of the web process, and request ids in logs."""

from __future__ import annotations

import json
import logging
import time

import pytest
from django.test import override_settings

from core.logging import ContextFilter
from core.ops.health import HEARTBEATS_KEY
from core.redis import get_redis

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/ping", "/api/v1/simple-health"])
def test_liveness_answers_whatever_the_host_header(client, path):
    response = client.get(path, HTTP_HOST="10.244.3.17:8080")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize("path", ["/health", "/api/v1/health"])
def test_readiness_reports_each_dependency(client, path):
    get_redis().hset(
        HEARTBEATS_KEY, "host:1", json.dumps({"host": "host", "pid": 1, "queues": [], "last_seen": time.time()})
    )
    response = client.get(path, HTTP_HOST="10.244.3.17:8080")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert {name for name, check in body["checks"].items() if check["ok"]} == {"database", "redis", "broker", "worker"}
    assert set(body["checks"]["broker"]["queues"]) == {"documents", "ai", "maintenance"}
    assert body["checks"]["worker"]["last_heartbeat_age_seconds"] < 5


@pytest.mark.parametrize("path", ["/health", "/api/v1/health"])
def test_readiness_is_503_when_redis_is_unreachable(client, path):
    with override_settings(REDIS_URL="redis://127.0.0.1:1/0"):
        response = client.get(path)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["redis"]["ok"] is False
    assert "Connection" in body["checks"]["redis"]["error"]
    assert body["checks"]["database"]["ok"] is True


def test_a_stale_worker_is_reported_without_failing_readiness(client):
    stale = time.time() - 600
    get_redis().hset(HEARTBEATS_KEY, "host:2", json.dumps({"host": "host", "pid": 2, "queues": [], "last_seen": stale}))
    response = client.get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["worker"]["ok"] is False
    assert body["checks"]["worker"]["last_heartbeat_age_seconds"] >= 600


def test_no_worker_at_all_is_reported_too(client):
    body = client.get("/health").json()
    assert body["checks"]["worker"] == {**body["checks"]["worker"], "ok": False, "workers": 0}


def test_the_request_id_is_echoed_and_carried_by_log_lines(client, caplog):
    context = ContextFilter(prefix="[API]")
    caplog.handler.addFilter(context)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"
    record = next(r for r in caplog.records if r.name == "django.request")
    assert (record.prefix, record.context_id) == ("[API]", "req:abc-123")


def test_an_unsafe_request_id_is_replaced(client):
    response = client.get("/ping", HTTP_X_REQUEST_ID="x" * 500)
    assert len(response["X-Request-ID"]) == 32 if "X-Request-ID" in response else True
    response = client.get("/", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert response["X-Request-ID"] != "bad id\nwith newline"
    assert len(response["X-Request-ID"]) == 32


def test_the_worker_health_endpoint_listens_on_loopback_unless_told_and_says_when_its_port_is_taken(settings, caplog):
    import socket

    from core.worker import runtime as worker
    from tests.e2e import free_port

    assert settings.WORKER_HEALTH_HOST == "127.0.0.1"
    settings.WORKER_HEALTH_PORT = free_port()
    identity = {"host": "test", "pid": 1, "queues": ["documents"]}
    server = worker._serve_health(identity)
    try:
        assert server is not None and server.server_address[0] == "127.0.0.1"
        assert worker._serve_health(identity) is None  # a sibling process serves it: nothing to say
        assert "cannot listen" not in caplog.text
    finally:
        server.shutdown()
        server.server_close()

    with socket.socket() as squatter:  # something else holds the port
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        settings.WORKER_HEALTH_PORT = squatter.getsockname()[1]
        worker._port_taken_logged.clear()
        assert worker._serve_health(identity) is None
    assert "cannot listen on 127.0.0.1" in caplog.text and "no worker answers there" in caplog.text


def test_every_page_names_its_icon_and_favicon_ico_finds_it(client):
    page = client.get("/").content.decode()
    assert 'rel="icon"' in page and "favicon.svg" in page
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")
    assert client.get(response["Location"]).status_code == 200
