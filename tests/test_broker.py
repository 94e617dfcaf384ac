"""The broker wakes an idle consumer when a message arrives, instead of leaving it to poll."""

from __future__ import annotations

import threading
import time

import dramatiq
import pytest

from core.worker.broker import WakingRedisBroker


@pytest.fixture
def broker():
    broker = dramatiq.get_broker()
    assert isinstance(broker, WakingRedisBroker)
    broker.flush_all()
    broker.client.delete(broker.wake_key("maintenance"))
    yield broker
    broker.flush_all()


def test_an_idle_consumer_is_woken_by_a_new_message_not_by_its_poll(broker):
    from core.tasks import queue_probe

    consumer = broker.consume("maintenance", prefetch=1, timeout=10_000)
    consumer.misses = 30  # long idle: the next wait is the full backoff, 5 to 10 s
    returned = threading.Event()
    waited: list[float] = []

    def wait() -> None:
        started = time.monotonic()
        assert next(consumer) is None  # woken: the next call fetches
        waited.append(time.monotonic() - started)
        returned.set()

    thread = threading.Thread(target=wait)
    thread.start()
    time.sleep(0.3)
    assert not returned.is_set(), "the consumer waits while the queue is empty"
    message = queue_probe.send(time.time(), "test:probe")
    thread.join(5)
    assert returned.is_set() and waited[0] < 3, "woken by the message, not at the end of its backoff"
    fetched = next(consumer)
    assert fetched is not None and fetched.message_id == message.message_id
    consumer.ack(fetched)
    consumer.close()


def test_wake_tokens_are_bounded_and_expire(broker):
    from core.tasks import queue_probe

    for _ in range(40):
        queue_probe.send(time.time(), "test:probe")
    key = broker.wake_key("maintenance")
    assert broker.client.llen(key) == 16
    assert 0 < broker.client.ttl(key) <= 60
    queue_probe.send_with_options(args=(time.time(), "test:probe"), delay=60_000)
    assert broker.client.llen(key) == 16  # a delayed message wakes nobody now


def test_a_worker_process_counts_the_messages_it_runs(broker):
    from core.tasks import queue_probe
    from core.worker import runtime as worker

    middleware = worker.RunningMessagesMiddleware()
    first, second = queue_probe.message(1.0, "a"), queue_probe.message(2.0, "b")
    middleware.before_process_message(broker, first)
    assert worker.messages_running() == 1
    middleware.after_skip_message(broker, second)  # skipped before it was counted: no change
    assert worker.messages_running() == 1
    middleware.after_process_message(broker, first)
    assert worker.messages_running() == 0
