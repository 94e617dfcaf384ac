"""One error shape for the whole API: {"error": {"code", "message", "fields"}}.

The DRF exception handler covers errors raised inside API views (validation, 401, 403, 404,
405, 429, and services' Django ValidationErrors); the handler* views cover what never reaches
DRF (unknown /api/ URLs, unhandled exceptions, CSRF failures) and render HTML elsewhere.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}


def _as_api_exception(exc: Exception) -> Exception:
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(detail=as_serializer_error(exc))
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    return exc


def _first_code(codes: Any) -> str:
    while isinstance(codes, dict | list) and codes:
        codes = next(iter(codes.values())) if isinstance(codes, dict) else codes[0]
    return codes if isinstance(codes, str) else "error"


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError) and hasattr(exc, "rejection_code"):
        # A service refused input with its own code and status (413 too large, 415 wrong type, ...).
        fields = as_serializer_error(exc)
        message = next(iter(fields.get("file") or fields.get("non_field_errors") or [exc.messages[0]]))
        return Response(error_body(exc.rejection_code, message, fields), status=exc.status_code)
    exc = _as_api_exception(exc)
    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return None  # unhandled: Django's handler500 answers with the same shape
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = error_body("validation_error", _("Some fields are not valid."), fields)
    elif isinstance(exc.detail, dict):
        # simplejwt's InvalidToken carries {"detail", "code", "messages"}.
        code = str(exc.detail.get("code", exc.default_code))
        response.data = error_body(code, exc.detail.get("detail", exc.default_detail))
    else:
        response.data = error_body(_first_code(exc.get_codes()), exc.detail)
    return response


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def error_response(request: HttpRequest, status_code: int, code: str, message: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(error_body(code, message), status=status_code)
    return render(request, "error.html", {"status": status_code, "message": message}, status=status_code)


def handler400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, status.HTTP_400_BAD_REQUEST, "bad_request", _("Bad request."))


def handler403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = _("You do not have permission to perform this action.")
    return error_response(request, status.HTTP_403_FORBIDDEN, "permission_denied", message)


def handler404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_response(request, status.HTTP_404_NOT_FOUND, "not_found", _("Not found."))


def handler500(request: HttpRequest) -> HttpResponse:
    message = _("Something went wrong on our side. Please try again later.")
    return error_response(request, status.HTTP_500_INTERNAL_SERVER_ERROR, "server_error", message)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    message = _("Your session expired or the form was sent twice. Please reload the page and try again.")
    return error_response(request, status.HTTP_403_FORBIDDEN, "csrf_failed", message)
