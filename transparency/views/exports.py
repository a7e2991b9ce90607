"""A workspace table as a download: CSV (UTF-8 with a byte-order mark, so spreadsheet programs
read Cyrillic names right) or XLSX, with the same columns, rows and total as the page.

Text cells come from what organisations typed; a spreadsheet would run one starting with
`=`, `+`, `-` or `@` as a formula, so such text is written as text (quoted in CSV, typed as a
string in XLSX)."""

import csv
import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from transparency.figures import Scope, Table

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NUMBER_FORMATS = {"money": "#,##0.00", "ratio": "0.00", "percent": "0.00", "count": "0"}


def filename(table: Table, scope: Scope, extension: str) -> str:
    agency = f"-{scope.agency.bin}" if scope.agency else ""
    return f"{table.slug}-{scope.year}{agency}.{extension}"


def _rows(table: Table):
    yield from table.rows
    if table.total:
        yield table.total


def _text(value) -> str:
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _attachment(response: HttpResponse, name: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def csv_response(table: Table, scope: Scope) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_text(c.label) for c in table.columns])
    for row in _rows(table):
        writer.writerow(
            [v if c.numeric else _text(v) for c, v in table.cells(row)],
        )
    content = ("\ufeff" + out.getvalue()).encode()
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    return _attachment(response, filename(table, scope, "csv"))


def xlsx_response(table: Table, scope: Scope) -> HttpResponse:
    book = Workbook()
    sheet = book.active
    sheet.title = table.slug
    sheet.append([str(c.label) for c in table.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in _rows(table):
        sheet.append([v if c.numeric else str(v) for c, v in table.cells(row)])
        for cell, (column, _value) in zip(sheet[sheet.max_row], table.cells(row), strict=True):
            if column.numeric:
                cell.number_format = NUMBER_FORMATS[column.kind]
            else:
                cell.data_type = "s"  # never a formula, whatever the text starts with
    about = book.create_sheet(_("About"))
    about.append([_("Table"), str(table.title)])
    about.append([_("Fiscal year"), scope.year])
    about.append(
        [
            _("Agency"),
            f"{scope.agency.legal_name} ({scope.agency.bin})"
            if scope.agency
            else _("All agencies"),
        ]
    )
    about.append([_("Made"), timezone.now().strftime("%Y-%m-%d %H:%M:%S UTC")])
    for cell in about["B"]:
        cell.data_type = "s" if isinstance(cell.value, str) else cell.data_type
    out = io.BytesIO()
    book.save(out)
    return _attachment(
        HttpResponse(out.getvalue(), content_type=XLSX), filename(table, scope, "xlsx")
    )
