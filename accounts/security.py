"""Login brute-force protection (django-axes): whose attempts count, and what a locked-out client sees."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from core.api.errors import error_response

LOCKOUT_CODE = "too_many_login_attempts"


def login_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """The email tried: the web and admin forms call it `username`, the JWT endpoint `email`."""
    for source in (credentials or {}, getattr(request, "POST", {}) or {}):
        value = source.get("username") or source.get("email")
        if value:
            return str(value).strip().lower()
    return None


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _("Too many failed logins. Try again in %(minutes)d minutes.") % {"minutes": minutes}


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:

    response = error_response(request, 429, LOCKOUT_CODE, lockout_message())
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response
