"""Dramatiq's Redis broker, with idle workers woken the moment a message arrives.

Dramatiq's Redis consumers poll: an idle consumer sleeps between fetches, backing off up to the
worker timeout (WORKER_POLL_MS, 100 ms). Each hop of an upload (web → extraction → generation)
waited half of that on average, about 60 ms of a small document's 100 ms pipeline overhead
(`make bench`, upload → ready). Here every enqueue also pushes a token onto the queue's wake list,
and an idle consumer waits on that list (BLPOP) for as long as it would have slept: a new message
starts within a millisecond or two, and an idle worker polls no more often than before.

Tokens are hints, not messages: a lost one costs the old poll delay, a spare one one extra fetch.
"""

from __future__ import annotations

import time

import redis
from dramatiq import Message
from dramatiq.broker import MessageProxy
from dramatiq.brokers.redis import RedisBroker, _RedisConsumer
from dramatiq.common import compute_backoff
from dramatiq.errors import ConnectionClosed

WAKE_TOKENS_KEPT = 16
WAKE_TOKENS_TTL_SECONDS = 60


class WakingRedisBroker(RedisBroker):
    @property
    def consumer_class(self) -> type:
        return _WakingConsumer

    def wake_key(self, queue_name: str) -> str:
        return f"{self.namespace}:__wake__.{queue_name}"

    def enqueue(self, message: Message, *, delay: int | None = None) -> Message:
        enqueued = super().enqueue(message, delay=delay)
        if delay is None:  # a delayed message is moved by a worker that is awake anyway
            key = self.wake_key(enqueued.queue_name)
            pipe = self.client.pipeline(transaction=False)
            pipe.lpush(key, 1).ltrim(key, 0, WAKE_TOKENS_KEPT - 1).expire(key, WAKE_TOKENS_TTL_SECONDS)
            pipe.execute()
        return enqueued


class _WakingConsumer(_RedisConsumer):
    """Dramatiq's consumer (`_RedisConsumer.__next__`), waiting on the wake list instead of sleeping."""

    def __next__(self) -> MessageProxy | None:
        try:
            while True:
                if self.message_cache:
                    data = self.message_cache.pop(0)
                    if data is None:  # as Dramatiq's consumer: skip (its issue #266)
                        continue
                    self.misses = 0
                    message = Message.decode(data)
                    self.queued_message_ids.add(message.message_id)
                    return MessageProxy(message)
                room = self.prefetch - self.outstanding_message_count
                if room > 0:
                    self.message_cache = self.broker.do_fetch(self.queue_name, room)
                    if self.message_cache:
                        continue
                self.misses, backoff_ms = compute_backoff(self.misses, max_backoff=self.timeout)
                if room > 0:  # a new message could be taken: wake up when one arrives
                    self.broker.client.blpop([self.broker.wake_key(self.queue_name)], timeout=max(backoff_ms, 1) / 1000)
                else:  # full: only an ack (in this process) makes room
                    time.sleep(backoff_ms / 1000)
                return None
        except redis.ConnectionError as exc:
            raise ConnectionClosed(exc) from None
