"""Background tasks of the directory (Django's task API; `manage.py db_worker` runs them)."""

from django.utils import timezone
from django_tasks import task

from maillage.core.exceptions import ApplicationError
from maillage.directory.interop.services import directory_import
from maillage.directory.models import ImportJob


@task()
def run_import_job(*, job_id: int):
    """Run one import started from the staff page, recording its progress and outcome on the job."""
    job = ImportJob.objects.select_related("organisation", "created_by").get(pk=job_id)
    job.status, job.progress, job.stage = ImportJob.Status.RUNNING, 1, "Démarrage"
    job.save(update_fields=["status", "progress", "stage"])

    def progress(stage: str, fraction: float) -> None:
        # Written outside the import's transaction (until the writing starts) so that the page sees it.
        ImportJob.objects.filter(pk=job.pk).update(stage=stage, progress=min(99, int(fraction * 100)))

    try:
        report = directory_import(
            actor=job.created_by,
            format=job.format,
            path_or_files=job.file.path,
            organisation=job.organisation,
            source=job.source,
            progress=progress,
            # First run: stop at probable duplicates for the user to decide; then apply the decisions.
            duplicates="decide" if job.decisions else "review",
            decisions=job.decisions,
        )
    except ApplicationError as exc:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.REFUSED, stage=exc.message, progress=100, finished_at=timezone.now()
        )
        return {"created": 0, "updated": 0, "errors": 1}
    except Exception:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, stage="Erreur inattendue", finished_at=timezone.now()
        )
        raise
    if report.duplicates:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.REVIEW,
            stage=report.summary(),
            progress=100,
            duplicates=report.duplicates,
            warnings=report.warnings_as_json(),
        )
        return {"created": 0, "updated": 0, "errors": 0, "duplicates": len(report.duplicates)}
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.SUCCEEDED if report.ok else ImportJob.Status.REFUSED,
        stage=report.summary(),
        undo=report.undo if report.ok else {},
        progress=100,
        created=report.created,
        updated=report.updated,
        errors=report.errors_as_json(),
        warnings=report.warnings_as_json(),
        finished_at=timezone.now(),
    )
    return {"created": report.created, "updated": report.updated, "errors": len(report.errors)}
