"""What every award-stage page does the same way: run one service from a form and either go on
or show the page again (400) with the form as typed, each problem next to its field and a
refusal of the whole action at the top; and hand out exact bytes as a download."""

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from suppliers.views.errors import apply_errors


def perform(request, form, action, *, done: str, then, again, rename=None):
    """Validate `form`, run `action(form)` (one service call), then redirect to `then` (or to
    `then(result)`) with `done`; a refusal returns `again(form)`, the page rendered with status
    400. `rename` maps a service's field names to the form's."""
    if not form.is_valid():
        return refused(request, form, again)
    try:
        result = action(form)
    except ValidationError as exc:
        if rename and hasattr(exc, "error_dict"):
            exc = ValidationError(rename(exc.message_dict))
        apply_errors(exc, form)
        return refused(request, form, again)
    messages.success(request, done)
    return redirect(then(result) if callable(then) else then)


def refused(request, form, again):
    # A refusal of the whole action (a status, a window, a signature) goes to the top of the
    # page, where it is seen even when the form is no longer offered.
    for message in form.errors.pop(NON_FIELD_ERRORS, []):
        messages.error(request, message)
    if form.errors:
        messages.error(request, _("Nothing was changed: see the problems marked below."))
    return again(form)


def exact_bytes(content: bytes, filename: str, content_type: str = "application/json"):
    """Bytes to hash, sign or verify: a download, never rendered in the page."""
    response = HttpResponse(bytes(content), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


SIGNATURE_TYPE = "application/pkcs7-signature"
