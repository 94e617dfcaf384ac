"""Project-wide middleware: health checks ahead of host checks, and request ids."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from core.context import current_context_id
from core.ops import health

HEALTH_VIEWS: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "/ping": health.ping,
    "/api/v1/simple-health": health.ping,
    "/health": health.readiness,
    "/api/v1/health": health.readiness,
}
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class HealthCheckMiddleware:
    """Answers the health paths before Django validates the Host header or redirects to HTTPS.

    App Platform probes containers over plain HTTP with the container's address as the host,
    which ALLOWED_HOSTS and SECURE_SSL_REDIRECT would otherwise turn into 400s and 301s.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = HEALTH_VIEWS.get(request.path_info.rstrip("/") or "/")
        if view is not None and request.method in ("GET", "HEAD"):
            return view(request)
        return self.get_response(request)


class RequestIDMiddleware:
    """Takes X-Request-ID from the proxy (or makes one), logs with it and echoes it back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        # Not reset here: Django logs 4xx/5xx responses after the middleware chain returns.
        # The request_finished receiver below clears it.
        current_context_id.set(f"req:{request_id}")
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


@receiver(request_finished)
def _forget_request_id(**kwargs: object) -> None:
    current_context_id.set("-")
