"""The request types of signed-in pages and API calls: their user is a User, never anonymous."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest
from rest_framework.request import Request

from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A page behind @login_required (django-stubs' recipe for typing `request.user`)."""

    user: User


def api_user(request: Request) -> User:
    """The caller of an API view behind IsAuthenticated (the project default)."""
    return cast(User, request.user)
