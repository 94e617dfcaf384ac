"""Every write on accounts: used by the web pages, the API, the admin and the actors."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User, normalize_email, refresh_tokens_blacklist_all

LANGUAGE_CODES = {code for code, _name in User._meta.get_field("language").choices or []}


def _validate_language(language: str) -> None:
    if language not in LANGUAGE_CODES:
        raise ValidationError(
            {"language": _("Choose one of: %(codes)s.") % {"codes": ", ".join(sorted(LANGUAGE_CODES))}}
        )


@transaction.atomic
def user_create(*, email: str, password: str, name: str = "", language: str | None = None) -> User:
    email = normalize_email(email)
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": exc.messages}) from exc
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("An account with this email address already exists.")})
    if language is not None:
        _validate_language(language)
    user = User(email=email, name=name.strip(), **({"language": language} if language else {}))
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.save()
    return user


def user_update(
    *,
    user: User,
    name: str | None = None,
    language: str | None = None,
    desired_retention: float | None = None,
    new_cards_per_day: int | None = None,
) -> User:
    changed = []
    for field, value in (("desired_retention", desired_retention), ("new_cards_per_day", new_cards_per_day)):
        if value is not None:
            setattr(user, field, value)
            user.clean_fields(exclude=[f.name for f in User._meta.fields if f.name != field])
            changed.append(field)
    if name is not None:
        user.name = name.strip()
        changed.append("name")
    if language is not None:
        _validate_language(language)
        user.language = language
        changed.append("language")
    if changed:
        user.save(update_fields=changed)
    return user


def refresh_token_blacklist(*, refresh: str) -> None:
    """Logs a device out: its refresh token can no longer be used."""
    try:
        RefreshToken(refresh).blacklist()
    except TokenError as exc:
        raise ValidationError({"refresh": _("This refresh token is invalid or already used.")}) from exc


@transaction.atomic
def user_deactivate(*, user: User) -> int:
    """Staff lock an account: no login, no new tokens, and every device's refresh token is blacklisted
    (access tokens die at their next request, as JWT authentication checks is_active). Returns the count."""
    User.objects.filter(pk=user.pk).update(is_active=False)
    return refresh_tokens_blacklist_all(user=user)


def tokens_flush_expired() -> int:
    """Deletes expired refresh tokens (their blacklist rows cascade); returns how many."""
    _total, per_model = OutstandingToken.objects.filter(expires_at__lte=timezone.now()).delete()
    return per_model.get(OutstandingToken._meta.label, 0)


def demo_user_ensure(*, email: str, password: str) -> tuple[User, bool]:
    """The local demo account of `make run`; created once, its password reset on every start."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        return user_create(email=email, password=password, name="Demo Student"), True
    user.set_password(password)
    user.save(update_fields=["password"])
    return user, False
