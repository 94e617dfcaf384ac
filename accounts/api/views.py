from __future__ import annotations

import copy

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, status
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from accounts import services
from accounts.api.serializers import LogoutSerializer, RegisterSerializer, UserSerializer
from accounts.security import LOCKOUT_CODE, lockout_message
from core.api.schema import ErrorSerializer
from core.requests import api_user

ERRORS = {code: OpenApiResponse(ErrorSerializer) for code in (400, 401, 429)}


class RegisterView(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "register"

    @extend_schema(request=RegisterSerializer, responses={201: UserSerializer, **ERRORS}, tags=["auth"])
    def post(self, request: Request) -> Response:
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_create(**serializer.validated_data)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class LockedOut(exceptions.Throttled):
    default_code = LOCKOUT_CODE

    def __init__(self) -> None:
        super().__init__(detail=lockout_message())
        self.wait = settings.AXES_COOLOFF_TIME.total_seconds()  # the Retry-After header


@extend_schema(tags=["auth"], responses={200: None, **ERRORS})
class TokenView(TokenObtainPairView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    def post(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except AuthenticationFailed:
            # django-axes marks the request it was given (DRF's) when this email is locked out here.
            if getattr(request, "axes_locked_out", False):
                raise LockedOut from None
            raise
        except TokenError as exc:
            raise InvalidToken(exc.args[0]) from exc
        # Like a login on the web: django-axes forgets this email's failed attempts. It is told
        # without the session, or it would open a web session (a cookie) for its log: the app
        # holds tokens, and a cookie sent back would cost every API request a session lookup.
        sessionless = copy.copy(request._request)
        del sessionless.session
        user_logged_in.send(sender=type(serializer.user), request=sessionless, user=serializer.user)
        return Response(serializer.validated_data, status=status.HTTP_200_OK)


@extend_schema(tags=["auth"], responses={200: None, **ERRORS})
class TokenRefreshRotatingView(TokenRefreshView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"


class LogoutView(APIView):
    """Blacklists the refresh token; holding it is the proof, so an expired access token is fine."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    @extend_schema(
        request=LogoutSerializer, responses={204: None, 400: OpenApiResponse(ErrorSerializer)}, tags=["auth"]
    )
    def post(self, request: Request) -> Response:
        serializer = LogoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.refresh_token_blacklist(refresh=serializer.validated_data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    @extend_schema(responses={200: UserSerializer, 401: OpenApiResponse(ErrorSerializer)}, tags=["account"])
    def get(self, request: Request) -> Response:
        return Response(UserSerializer(api_user(request)).data)

    @extend_schema(request=UserSerializer, responses={200: UserSerializer, **ERRORS}, tags=["account"])
    def patch(self, request: Request) -> Response:
        serializer = UserSerializer(api_user(request), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = services.user_update(user=api_user(request), **serializer.validated_data)
        return Response(UserSerializer(user).data)
