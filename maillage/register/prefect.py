"""The register's transmission to the prefect as a file: a CSV (UTF-8 with a byte-order mark, « ; »
between columns, French headers: what a French spreadsheet opens as it is) or a PDF (WeasyPrint).
The rows come from `sharing.prefect_rows` and carry nothing else than `sharing.PREFECT_COLUMNS`."""

import csv
import io

from django.template.loader import render_to_string
from django.utils import timezone

from maillage.core.pdf import html_to_pdf
from maillage.directory.interop.files import neutralise_formula
from maillage.register.sharing import PREFECT_COLUMNS, PREFECT_FIELDS, PREFECT_HEADERS

FORMATS = {"csv": "text/csv; charset=utf-8", "pdf": "application/pdf"}


def csv_bytes(rows: list[dict]) -> bytes:
    """UTF-8 with BOM, « ; », CRLF; a cell a spreadsheet would run as a formula starts with « ' »."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(PREFECT_HEADERS)
    for row in rows:
        writer.writerow([neutralise_formula(row[key]) for key in PREFECT_FIELDS])
    return buffer.getvalue().encode("utf-8-sig")


def pdf_bytes(crisis, rows: list[dict]) -> bytes:
    html = render_to_string(
        "register/crises/prefect_pdf.html",
        {
            "crisis": crisis,
            "organisation": crisis.organisation,
            "columns": PREFECT_COLUMNS,
            "rows": [[row[key] for key in PREFECT_FIELDS] for row in rows],
            "count": len(rows),
            "now": timezone.localtime(),
        },
    )
    return html_to_pdf(html)


def file_name(crisis, file_format: str) -> str:
    day = timezone.localtime().strftime("%Y-%m-%d")
    return f"registre-transmission-prefet-{day}.{file_format}"
