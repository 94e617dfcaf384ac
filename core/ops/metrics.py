"""GET /metrics in Prometheus' text format: django-prometheus' request metrics plus upload gauges.

Not public: only `Authorization: Bearer <METRICS_TOKEN>` or a staff session gets an answer; anyone
else gets the 404 an unknown path gets. The worker's metrics (Dramatiq's Prometheus middleware)
are served by the worker itself on WORKER_METRICS_HOST:WORKER_METRICS_PORT.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterator

import prometheus_client
from django.conf import settings
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from uploads.models import Upload


class UploadCollector(Collector):
    """Read from the database at scrape time, so every web process reports the same numbers."""

    def collect(self) -> Iterator[GaugeMetricFamily]:

        counts = dict(Upload.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
        gauge = GaugeMetricFamily("hackthestudy_uploads", "Uploads per status.", labels=["status"])
        for status in Upload.Status.values:
            gauge.add_metric([status], counts.get(status, 0))
        yield gauge


def _allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    sent = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if token and sent and hmac.compare_digest(sent.encode(), token.encode()):
        return True
    return bool(request.user.is_authenticated and request.user.is_staff)


def _process_registry() -> prometheus_client.CollectorRegistry:
    """All gunicorn workers' metrics when PROMETHEUS_MULTIPROC_DIR is set, else this process's."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return prometheus_client.REGISTRY


def metrics(request: HttpRequest) -> HttpResponse:
    if not _allowed(request):
        raise Http404
    uploads = prometheus_client.CollectorRegistry()
    uploads.register(UploadCollector())
    body = prometheus_client.generate_latest(_process_registry()) + prometheus_client.generate_latest(uploads)
    return HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)
