"""The staff page of import and export (current organisation, editors of its services)."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from maillage.core import access
from maillage.core.exceptions import ApplicationError
from maillage.core.grammar import count
from maillage.directory.interop.forms import DuplicateDecisionsForm, ImportForm
from maillage.directory.interop.services import directory_export, export_download
from maillage.directory.interop.undo import import_can_be_undone, import_undo
from maillage.directory.models import ImportJob
from maillage.directory.tasks import run_import_job

EXPORT_FORMATS = {
    "hsds-json": "HSDS 3 — JSON",
    "hsds-csv": "HSDS 3 — paquet CSV (zip)",
    "datainclusion": "data·inclusion v1 (zip)",
}


def _organisation_for_import(request):
    organisation = request.organisation
    if organisation is None or not access.can_import_directory(request.user, organisation):
        raise Http404("Page introuvable.")
    return organisation


@require_http_methods(["GET", "POST"])
def interop(request):
    """Upload a file to import (run in the background), download exports, see recent imports."""
    organisation = _organisation_for_import(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = ImportJob.objects.create(
            organisation=organisation,
            created_by=request.user,
            format=form.cleaned_data["format"],
            source=form.cleaned_data["source"],
            file=upload,
            original_name=upload.name[:255],
        )
        run_import_job.enqueue(job_id=job.pk)
        messages.info(request, "Le fichier est reçu : l'import se déroule en arrière-plan.")
        return redirect("directory:import_job", pk=job.pk)
    context = {
        "organisation": organisation,
        "form": form,
        "jobs": access.import_jobs_visible_to(request.user, organisation)[:10],
        "export_formats": EXPORT_FORMATS.items(),
    }
    return render(request, "directory/interop.html", context)


def _job_context(job, form=None) -> dict:
    if form is None and job.status == ImportJob.Status.REVIEW:
        form = DuplicateDecisionsForm(duplicates=job.duplicates)
    return {"job": job, "decisions_form": form, "can_undo": import_can_be_undone(job)}


@require_http_methods(["GET"])
def import_job(request, pk):
    """One import and its progress; htmx polls the fragment until the import is over (or waits for the
    user's decisions on probable duplicates)."""
    organisation = _organisation_for_import(request)
    job = access.get_import_job_for(request.user, organisation, pk)
    template = "directory/includes/_import_job.html" if request.htmx else "directory/import_job.html"
    return render(request, template, _job_context(job))


@require_http_methods(["POST"])
def import_decide(request, pk):
    """The user's decision on each probable duplicate (skip, link, create); the import then runs again."""
    organisation = _organisation_for_import(request)
    job = access.get_import_job_for(request.user, organisation, pk)
    if job.status != ImportJob.Status.REVIEW:
        messages.error(request, "Cet import n'attend plus de décision sur des doublons.")
        return redirect("directory:import_job", pk=job.pk)
    form = DuplicateDecisionsForm(request.POST, duplicates=job.duplicates)
    if not form.is_valid():
        return render(request, "directory/import_job.html", _job_context(job, form))
    job.decisions = form.decisions()
    job.status, job.progress, job.stage = ImportJob.Status.PENDING, 0, "Reprise avec vos décisions"
    job.save(update_fields=["decisions", "status", "progress", "stage"])
    run_import_job.enqueue(job_id=job.pk)
    messages.info(request, "Vos décisions sont enregistrées : l'import reprend en arrière-plan.")
    return redirect("directory:import_job", pk=job.pk)


@require_http_methods(["POST"])
def import_cancel(request, pk):
    """« Annuler cet import »: the services it created are removed, those it changed restored."""
    organisation = _organisation_for_import(request)
    job = access.get_import_job_for(request.user, organisation, pk)
    try:
        counts = import_undo(actor=request.user, job=job)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"L'import est annulé : {count(counts['deleted'], 'service supprimé', 'services supprimés')}, "
            f"{counts['restored']} remis dans leur état d'avant l'import.",
        )
    return redirect("directory:import_job", pk=job.pk)


@require_http_methods(["GET"])
def export(request, fmt):
    """Download the current organisation's services in one of the formats."""
    organisation = _organisation_for_import(request)
    if fmt not in EXPORT_FORMATS:
        raise Http404("Format inconnu.")
    name, content, content_type = export_download(
        # The organisation's own services, drafts and contacts included: its members see them already.
        directory_export(
            actor=request.user,
            format=fmt,
            organisation=organisation,
            include_drafts=True,
            include_named_contacts=True,
        )
    )
    if fmt == "datainclusion" and not name.endswith(".zip"):
        name = "annuaire-datainclusion.zip"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
