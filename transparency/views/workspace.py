"""The workspace: every figure of a fiscal year (and optionally one agency) with its chart,
and each table as CSV or XLSX."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from transparency.figures import TABLES, Scope, fiscal_years, workspace_table, workspace_tables
from transparency.forms import WorkspaceFilterForm
from transparency.permissions import can_view_workspace
from transparency.views.exports import csv_response, xlsx_response

EXPORTS = {"csv": csv_response, "xlsx": xlsx_response}


def _require_workspace(request) -> None:
    if not can_view_workspace(request.user):
        raise PermissionDenied(_("The workspace is for auditors and the platform's operators."))


def _scope(request) -> tuple[WorkspaceFilterForm, Scope | None]:
    form = WorkspaceFilterForm(request.GET, years=fiscal_years())
    if not form.is_valid():
        return form, None
    return form, Scope(year=form.cleaned_data["year"], agency=form.cleaned_data["agency"])


@login_required
@require_GET
def workspace(request):
    _require_workspace(request)
    form, scope = _scope(request)
    context = {
        "form": form,
        "scope": scope,
        "tables": workspace_tables(scope) if scope else [],
        "query": form.data.urlencode() if scope else "",
    }
    return render(request, "transparency/workspace.html", context, status=200 if scope else 400)


@login_required
@require_GET
def workspace_export(request, table: str, fmt: str):
    _require_workspace(request)
    if table not in TABLES or fmt not in EXPORTS:
        raise Http404
    form, scope = _scope(request)
    if scope is None:
        problems = [str(e) for errors in form.errors.values() for e in errors]
        return HttpResponseBadRequest(" ".join(problems), content_type="text/plain; charset=utf-8")
    return EXPORTS[fmt](workspace_table(table, scope), scope)
