"""One error shape for the whole API: {"error": {"code", "message", "fields"}}."""

import contextlib
import datetime as dt
import json
import logging
from typing import Annotated

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PageNumberPagination
from ninja.parser import Parser
from pydantic import AfterValidator, AwareDatetime

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


class PageNumbers(PageNumberPagination):
    """Ninja's page numbers with a last page: page 10**20 is a 422 under `page`, not an OFFSET
    past the database's 64-bit integers (a 500 on SQLite and PostgreSQL alike)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1)


def _in_utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        return value  # the services refuse naive instants with their own message
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError(_("This instant is outside the years 1 to 9999.")) from None


# Instants the API reads, turned to UTC before they reach a query: PostgreSQL refuses offsets
# past ±15:59 ("+23:51" was a 500 there), and the API answers in UTC anyway.
Instant = Annotated[dt.datetime, AfterValidator(_in_utc)]
AwareInstant = Annotated[AwareDatetime, AfterValidator(_in_utc)]


class UnsupportedMediaType(Exception):
    """A JSON endpoint was sent a body of another content type (answered 415)."""


def _storable(text: str) -> bool:
    try:
        text.encode("utf-8")  # unpaired surrogates do not encode
    except UnicodeEncodeError:
        return False
    return "\x00" not in text


class Unstorable(NinjaValidationError):
    """Text no database keeps: NUL characters (PostgreSQL refuses them, a 500 there) and
    unpaired surrogates (not Unicode; UTF-8 cannot encode them, a 500 anywhere)."""

    @classmethod
    def find(cls, value, loc: tuple) -> list[dict]:
        if isinstance(value, str):
            message = _("Text may not hold NUL characters or lone surrogates.")
            return [] if _storable(value) else [{"loc": loc, "msg": message}]
        if isinstance(value, list):
            value = dict(enumerate(value))
        if not isinstance(value, dict):
            return []
        found = []
        for key, item in value.items():
            name = str(key)
            found += cls.find(name, loc)
            found += cls.find(item, (*loc, name) if _storable(name) else loc)
        return found


class StrictParser(Parser):
    """Ninja's parser, with what every operation refuses before it looks at a value: a body
    that is not `application/json` (415), and text that cannot be stored (422 on its field)."""

    def parse_body(self, request: HttpRequest):
        # Ninja calls this with a bare HttpRequest (content_type None) for multipart fields.
        kind = request.content_type
        if kind is not None and kind != "application/json" and not kind.endswith("+json"):
            raise UnsupportedMediaType(kind)
        data = super().parse_body(request)
        if errors := Unstorable.find(data, ("body",)):
            raise Unstorable(errors)
        return data

    def parse_querydict(self, data, list_fields, request: HttpRequest):
        parsed = super().parse_querydict(data, list_fields, request)
        if errors := Unstorable.find(parsed, ()):
            raise Unstorable(errors)
        return parsed


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
    if loc and loc[0] == "file":  # ("file", "file") was reported as "file.file"
        loc = loc[1:]
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
    api.add_exception_handler(SuspiciousOperation, _refused_request)
    api.add_exception_handler(Exception, _server_error)


def _http_error(request: HttpRequest, exc: HttpError):
    # Ninja wraps whatever the parser raised for a body in a 400 "Cannot parse request body".
    if isinstance(exc.__cause__, UnsupportedMediaType):
        return error_response(
            415, _("Send the request body as JSON, with “Content-Type: application/json”.")
        )
    if isinstance(exc.__cause__, Unstorable):
        return _schema_invalid(request, exc.__cause__)
    if exc.status_code == 400 and "parse request body" in str(exc):
        return error_response(400, _("The request body is not valid JSON."), code="malformed_json")
    return error_response(exc.status_code, str(exc))


def _refused_request(request: HttpRequest, exc: SuspiciousOperation):
    """Django's own limits on a request (settings.DATA_UPLOAD_*)."""
    if isinstance(exc, RequestDataTooBig):
        return error_response(413, _("The request is too large."))
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return error_response(400, _("The request has more fields or files than accepted."))
    return error_response(400, _("The request is malformed."))


def _server_error(request: HttpRequest, exc: Exception):
    if "\x00" in request.path:
        # No number, BIN or id holds a NUL; PostgreSQL refuses to compare one (a DataError).
        return error_response(404, _("Nothing found at this address."))
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
