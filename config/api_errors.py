"""One error shape for the whole API: {"error": {"code", "message", "fields"}}."""

import contextlib
import json
import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

logger = logging.getLogger(__name__)


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


class ErrorOut(Schema):
    error: ErrorBody


STATUS_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_requests",
    500: "server_error",
}

# Every documented operation can answer with these.
ERROR_RESPONSES = dict.fromkeys((400, 401, 403, 404, 422), ErrorOut)


def error_response(
    status: int, message: str, *, code: str | None = None, fields=None
) -> JsonResponse:
    body = {
        "error": {
            "code": code or STATUS_CODES.get(status, "error"),
            "message": str(message),
            "fields": fields or {},
        }
    }
    return JsonResponse(body, status=status)


def _field_name(loc) -> str:
    # ninja reports ("body", "payload", "bin") or ("query", "page"): keep the field itself.
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "header", "cookie")]
    return (
        ".".join(parts[1:] if len(parts) > 1 and parts[0] in ("payload", "data") else parts)
        or "__all__"
    )


def _schema_invalid(request: HttpRequest, exc: NinjaValidationError):
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        fields.setdefault(_field_name(error.get("loc", ())), []).append(error.get("msg", "invalid"))
    if "__all__" in fields and any("JSON" in m for m in fields["__all__"]):
        return error_response(400, _("The request body is not valid JSON."), code="malformed_json")
    names = ", ".join(sorted(fields))
    return error_response(
        422, _("Some values are not valid: %(names)s.") % {"names": names}, fields=fields
    )


def _rule_refused(request: HttpRequest, exc: DjangoValidationError):
    fields = {}
    if hasattr(exc, "error_dict"):
        fields = {name: [str(m) for m in msgs] for name, msgs in exc.message_dict.items()}
        first = next(iter(fields.values()))[0]
        message = (
            first
            if len(fields) == 1
            else _("Some values are not valid: %(names)s.") % {"names": ", ".join(fields)}
        )
    else:
        message = exc.messages[0]
    return error_response(422, message, code=_first_code(exc), fields=fields)


def _first_code(exc: DjangoValidationError) -> str:
    if getattr(exc, "code", None):
        return exc.code
    for error in exc.error_dict.values() if hasattr(exc, "error_dict") else exc.error_list:
        for item in error if isinstance(error, list) else [error]:
            if getattr(item, "code", None):
                return item.code
    return "invalid"


def install_error_handlers(api: NinjaAPI) -> None:
    api.add_exception_handler(NinjaValidationError, _schema_invalid)
    api.add_exception_handler(DjangoValidationError, _rule_refused)
    api.add_exception_handler(
        AuthenticationError,
        lambda r, e: error_response(
            401, _("Log in, or send a valid API token as “Authorization: Bearer <token>”.")
        ),
    )
    api.add_exception_handler(
        PermissionDenied,
        lambda r, e: error_response(403, str(e) or _("You are not allowed to do this.")),
    )
    api.add_exception_handler(
        Http404, lambda r, e: error_response(404, _("Nothing found at this address."))
    )
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(Exception, _server_error)


def _http_error(request: HttpRequest, exc: HttpError):
    if exc.status_code == 400 and "parse request body" in str(exc):
        return error_response(400, _("The request body is not valid JSON."), code="malformed_json")
    return error_response(exc.status_code, str(exc))


def _server_error(request: HttpRequest, exc: Exception):
    logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
    return error_response(
        500, _("Something went wrong on our side. It was logged; please try again later.")
    )


def reshape_error(request: HttpRequest, response) -> JsonResponse | None:
    """Give errors that never reached an API handler (404 routes, 405, CSRF) the same shape."""
    if response.status_code < 400:
        return None
    if response.get("Content-Type", "").startswith("application/json"):
        with contextlib.suppress(ValueError, TypeError):  # not JSON after all: reshape it
            if "error" in json.loads(response.content):
                return None
    messages = {
        403: _("You are not allowed to do this (a browser session also needs its CSRF token)."),
        404: _("Nothing found at this address."),
        405: _("This address does not accept %(method)s.") % {"method": request.method},
    }
    status = response.status_code
    return error_response(status, messages.get(status, STATUS_CODES.get(status, "error")))
