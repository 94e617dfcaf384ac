from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from accounts import services
from accounts.api.serializers import ErrorSerializer, LogoutSerializer, RegisterSerializer, UserSerializer

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


@extend_schema(tags=["auth"], responses={200: None, **ERRORS})
class TokenView(TokenObtainPairView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"


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
        return Response(UserSerializer(request.user).data)

    @extend_schema(request=UserSerializer, responses={200: UserSerializer, **ERRORS}, tags=["account"])
    def patch(self, request: Request) -> Response:
        serializer = UserSerializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = services.user_update(user=request.user, **serializer.validated_data)
        return Response(UserSerializer(user).data)
