"""The register manager's import of a transmitted list: upload, preview, confirmation, the result.

Between the preview and the confirmation the file waits in the cache (REGISTER_IMPORT_PREVIEW_SECONDS),
under a random key bound to the user and the organisation; the confirmation reads and checks it again,
then deletes it. Every page lists persons: each showing is logged (how many, never who).
"""

import csv
import io
import secrets

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from maillage.core import access, audit
from maillage.core.exceptions import ApplicationError
from maillage.core.grammar import count
from maillage.people.models import Person
from maillage.register.enums import EntrySource
from maillage.register.importing import reading
from maillage.register.importing.forms import ListUploadForm
from maillage.register.importing.rows import NEW
from maillage.register.importing.services import ImportRefused, list_import, list_preview
from maillage.register.models import RegisterEntry

TEMPLATE_NAME = "modele-liste-registre"


def _organisation(request):
    organisation = request.organisation
    if organisation is None or not access.can_manage_register(request.user, organisation):
        raise Http404("Page introuvable.")
    return organisation


def _key(token: str) -> str:
    return f"register-import:{token}"


def store_pending(*, user, organisation, source: str, name: str, content: bytes) -> str:
    """Keep an uploaded list until its confirmation; the key (random) is the preview's address."""
    token = secrets.token_urlsafe(24)
    stored = {
        "user": user.pk,
        "organisation": organisation.pk,
        "source": source,
        "name": name[:200],
        "content": content,
    }
    cache.set(_key(token), stored, timeout=settings.REGISTER_IMPORT_PREVIEW_SECONDS)
    return token


def _pending(request, organisation, token: str) -> dict:
    stored = cache.get(_key(token)) if len(token) < 100 else None
    if not stored or stored["user"] != request.user.pk or stored["organisation"] != organisation.pk:
        raise Http404("Cet import n'existe pas ou a expiré.")
    return stored


def _log(request, model, what: str):
    audit._access_line(request, model, object_repr="Import au registre", what=what, path=request.path)


@require_http_methods(["GET", "POST"])
def import_upload(request):
    """Upload a list and who transmitted it; a readable file goes on to its preview. A file above
    REGISTER_IMPORT_MAX_BYTES is refused by its size before it is read (Django has already streamed
    it to a temporary file past FILE_UPLOAD_MAX_MEMORY_SIZE: the middleware read the request)."""
    organisation = _organisation(request)
    form = ListUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            list_preview(
                actor=request.user,
                organisation=organisation,
                source=form.cleaned_data["source"],
                name=upload.name,
                content=content,
            )
        except reading.FileRefused as exc:
            form.add_error("file", exc.message)
        else:
            token = store_pending(
                user=request.user,
                organisation=organisation,
                source=form.cleaned_data["source"],
                name=upload.name,
                content=content,
            )
            return redirect("register_import:preview", token=token)
    context = {"form": form, "organisation": organisation, "max_size": reading.size_text(reading.max_bytes())}
    context["columns"] = reading.COLUMNS.values()
    return render(request, "register/import.html", context)


def _decisions(post) -> dict:
    decisions = {}
    for key, value in post.items():
        if key.startswith("ligne-") and key[6:].isdigit() and (value == NEW or value.isdigit()):
            decisions[int(key[6:])] = value
    return decisions


@require_http_methods(["GET", "POST"])
def import_preview(request, token):
    """Each row and what the import will do; the confirmation imports everything or nothing."""
    organisation = _organisation(request)
    stored = _pending(request, organisation, token)
    decisions = _decisions(request.POST) if request.method == "POST" else {}
    arguments = {
        "actor": request.user,
        "organisation": organisation,
        "source": stored["source"],
        "name": stored["name"],
        "content": stored["content"],
        "decisions": decisions,
    }
    refused = False
    if request.method == "POST":
        try:
            result = list_import(**arguments)
        except ImportRefused as exc:
            plan, refused = exc.plan, True
            messages.error(request, exc.message)
        except (ApplicationError, reading.FileRefused) as exc:
            messages.error(request, exc.message)
            return redirect("register_import:upload")
        else:
            cache.delete(_key(token))
            messages.success(
                request,
                f"Import terminé : {count(result.entries, 'inscription', 'inscriptions')} en attente du consentement "
                f"({count(result.created, 'fiche créée', 'fiches créées')}).",
            )
            return redirect("register_import:batch", batch=result.batch)
    else:
        plan = list_preview(**arguments)
    shown = sum(1 + len(row.candidates) for row in plan.rows)
    _log(request, Person, f"Aperçu d'un import au registre : {audit.shown_count(shown, 'ligne')}")
    context = {
        "plan": plan,
        "token": token,
        "file_name": stored["name"],
        "source_label": EntrySource(stored["source"]).label,
        "refused": refused,
        "new": NEW,
    }
    return render(request, "register/import_preview.html", context)


@require_http_methods(["POST"])
def import_abandon(request, token):
    """Abandon an import before its confirmation: its file leaves the cache at once."""
    organisation = _organisation(request)
    _pending(request, organisation, token)
    cache.delete(_key(token))
    messages.info(request, "Import abandonné : rien n'a été enregistré et le fichier est effacé.")
    return redirect("register_import:upload")


@require_http_methods(["GET"])
def import_batch(request, batch):
    """The entries an import created, pending their consent."""
    organisation = _organisation(request)
    entries = list(
        access.entries_visible_to(request.user, organisation)
        .filter(import_batch=batch)
        .exclude(import_batch="")
        .select_related("person")
        .order_by("person__last_name", "person__first_names")
    )
    if not entries:
        raise Http404("Import introuvable.")
    _log(request, RegisterEntry, f"Inscriptions d'un import : {audit.shown_count(len(entries), 'inscription')}")
    context = {"entries": entries, "source_label": entries[0].get_source_display()}
    return render(request, "register/import_batch.html", context)


@require_http_methods(["GET"])
def import_template(request, fmt):
    """The empty list to fill: the column headers, in CSV (UTF-8 with BOM, « ; ») or XLSX."""
    _organisation(request)
    if fmt == "csv":
        buffer = io.StringIO(newline="")
        csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerow(reading.TEMPLATE_HEADER)
        content, content_type = buffer.getvalue().encode("utf-8-sig"), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        content = template_xlsx()
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        raise Http404("Format inconnu.")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{TEMPLATE_NAME}.{fmt}"'
    return response


def template_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Liste"
    sheet.append(reading.TEMPLATE_HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = max(14, len(str(cell.value)) + 4)
    for letter in ("G", "I", "J", "K"):  # code postal, téléphones: text, or a spreadsheet drops their leading 0
        for row in range(2, 1001):
            sheet[f"{letter}{row}"].number_format = "@"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
