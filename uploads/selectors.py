"""Reads shared by the web pages, the API and the admin: a user sees only their own uploads."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from accounts.models import User
from uploads.models import Upload


def upload_get_for_user(*, user: User, upload_id: int) -> Upload:
    """The user's upload, or 404: another user's upload does not exist for them."""
    return get_object_or_404(Upload.objects.for_user(user), pk=upload_id)
