"""Small helpers every app's views share."""

from urllib.parse import quote

from django.core.exceptions import ValidationError
from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attach_errors(form, exc: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """Show a service's ValidationError on the form: on its field where there is one, else on the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.error_dict.items():
        target = (aliases or {}).get(field, field)
        form.add_error(target if target in form.fields else None, errors)


def xlsx_response(workbook, filename: str) -> HttpResponse:
    """An openpyxl workbook as a download with a Chinese file name."""
    response = HttpResponse(content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    workbook.save(response)
    return response
