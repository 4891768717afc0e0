"""Calling a service function from an API view: its errors become DRF's 403 and 400."""

from django.core.exceptions import PermissionDenied, ValidationError
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.exceptions import ValidationError as ApiValidationError


def call_service(func, *args, **kwargs):
    try:
        return func(*args, **kwargs)
    except PermissionDenied as exc:
        raise ApiPermissionDenied(str(exc)) from exc
    except ValidationError as exc:
        raise ApiValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from exc
