"""Errors as problem details (RFC 9457, application/problem+json), field errors included.

{"type": "about:blank", "title": "Bad Request", "status": 400, "detail": "...",
 "code": "invalid", "errors": [{"field": "vhosts.0", "message": "..."}]}
"""

from __future__ import annotations

from http import HTTPStatus

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

PROBLEM_TYPE = "application/problem+json"


class Conflict(exceptions.APIException):
    """The request is valid but cannot be accepted now (a site busy, a price that changed)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"


def field_errors(detail, prefix: str = "") -> list[dict]:
    """Flatten DRF's nested error detail into [{"field": "a.0.b", "message": ...}]."""
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            name = "" if key in ("non_field_errors", "__all__") else str(key)
            out += field_errors(value, f"{prefix}.{name}" if prefix and name else prefix or name)
        return out
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return [{"field": prefix, "message": str(item)} for item in detail]
        out = []
        for index, item in enumerate(detail):
            out += field_errors(item, f"{prefix}.{index}" if prefix else str(index))
        return out
    return [{"field": prefix, "message": str(detail)}]


def problem(status_code: int, detail: str, *, code: str = "", **extra) -> dict:
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status_code).phrase,
        "status": status_code,
        "detail": detail,
    }
    if code:
        body["code"] = code
    body.update(extra)
    return body


def exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found.")
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, exceptions.NotAuthenticated):
        header = getattr(exc, "auth_header", None)
        exc = exceptions.NotAuthenticated(
            "Send Authorization: Bearer <token>; make a token on Profile → API tokens."
        )
        exc.auth_header = header
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # a bug: Django's 500 page, logged
    if isinstance(exc, exceptions.ValidationError):
        errors = field_errors(exc.detail)
        body = problem(
            response.status_code,
            "The request has invalid fields: see errors.",
            code="invalid",
            errors=errors,
        )
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = getattr(detail, "code", "") or ""
        body = problem(response.status_code, str(detail), code=str(code))
        if isinstance(exc, Conflict) and isinstance(getattr(exc, "extra", None), dict):
            body.update(exc.extra)
    response.data = body
    response.content_type = PROBLEM_TYPE
    return response


def not_found(request, *args, **kwargs):
    """Any other path under /api/: a problem, not the HTML 404 page."""
    return JsonResponse(
        problem(404, "No such API route: see /api/v1/schema/ for the routes.", code="not_found"),
        status=404,
        content_type=PROBLEM_TYPE,
    )
