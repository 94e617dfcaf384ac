"""JWTs bound to the password they were issued under.

Every token carries `pwd`, a short digest of the user's password hash at issue time. A password
change (web, admin, API or shell) changes the hash, so every access token issued before fails at
once, and `accounts.signals` blacklists every outstanding refresh token, so none returns a new pair.
"""

from __future__ import annotations

import hashlib

from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer
from rest_framework_simplejwt.tokens import RefreshToken

PASSWORD_CLAIM = "pwd"  # noqa: S105 - a claim's name, no password


def password_stamp(user: object) -> str:
    """A digest of the password hash: it changes with the password and reveals nothing of it."""
    return hashlib.sha256(f"jwt-password:{getattr(user, 'password', '')}".encode()).hexdigest()[:16]


class PasswordBoundRefreshToken(RefreshToken):
    @classmethod
    def for_user(cls, user: object) -> PasswordBoundRefreshToken:
        token = super().for_user(user)
        token[PASSWORD_CLAIM] = password_stamp(user)  # copied into each access token made from it
        return token


class TokenObtainSerializer(TokenObtainPairSerializer):
    token_class = PasswordBoundRefreshToken


class PasswordBoundJWTAuthentication(JWTAuthentication):
    """simplejwt's authentication, refusing a token issued under an earlier password."""

    def get_user(self, validated_token):
        user = super().get_user(validated_token)
        stamp = validated_token.get(PASSWORD_CLAIM)
        # A token from before this claim existed lives out its 15 minutes: its refresh token was
        # blacklisted with the password change all the same.
        if stamp is not None and stamp != password_stamp(user):
            raise AuthenticationFailed(
                _("The password has changed since this token was issued."), code="token_not_valid"
            )
        return user


class PasswordBoundJWTScheme(SimpleJWTScheme):
    """The OpenAPI schema's bearer scheme, as for simplejwt's own class."""

    target_class = PasswordBoundJWTAuthentication
