"""What the web forms share."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class ServiceFormMixin:
    """Turns a service's ValidationError into form errors."""

    def add_service_error(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)  # type: ignore[attr-defined]
        else:
            self.add_error(None, exc)  # type: ignore[attr-defined]
