"""The use cases: import a file into the directory, export the directory to a format."""

import gc
from contextlib import contextmanager

from django.utils import translation

from maillage.core import access
from maillage.core.exceptions import ApplicationError
from maillage.core.models import Organisation, User
from maillage.directory.interop import datainclusion, hsds, records, writer
from maillage.directory.interop.files import PathOrFiles, zip_bytes
from maillage.directory.interop.report import FileRefused, ImportReport
from maillage.directory.models import Service

FORMATS = ("hsds", "datainclusion")


def _no_progress(stage: str, fraction: float) -> None:
    return None


@contextmanager
def _cyclic_gc_paused():
    """Python's cyclic garbage collector paused for the length of an import. Reading a file creates
    millions of small objects (the parsed rows, then the planned ones) and none of them is garbage
    until the import ends: every full collection walked all of them again, for nothing (a fifth of a
    50,000-service import, bench/directory_import.py). Reference counting still frees what is
    dropped; the collector is on again at the end, whatever happens, if it was on before."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def directory_import(
    *,
    actor: User | None = None,
    format: str,  # noqa: A002 — the name the command line and the brief use
    path_or_files: PathOrFiles,
    organisation: Organisation | None = None,
    source: str = "",
    progress: records.Progress | None = None,
    duplicates: str = "create",
    decisions: dict | None = None,
) -> ImportReport:
    """Import a file (HSDS 3 or data·inclusion v1) into the directory: all of it, or nothing.

    Without `organisation` (the `import_directory` command, run by the technical administration),
    the file's organisations are matched by SIRET, else by source and identifier, or created. With
    it (the staff page), every service goes to that organisation, and the actor must be allowed to
    change its services. A malformed file is refused; every rejected row is reported, and then
    nothing is written. Importing the same source again updates in place. `duplicates` and
    `decisions`: what to do with the new services that look like services already held (another
    source, typed by hand): writer.run.
    """
    progress = progress or _no_progress
    if format not in FORMATS:
        raise ApplicationError(f"Format inconnu « {format} » : hsds ou datainclusion.")
    if organisation is not None and (actor is None or not access.can_import_directory(actor, organisation)):
        raise ApplicationError("Vous ne pouvez pas importer de services pour cette structure.")
    report = ImportReport()
    with translation.override("fr"), _cyclic_gc_paused():
        progress("Lecture du fichier", 0.05)
        try:
            if format == "hsds":
                parsed = hsds.read(path_or_files, source=source or hsds.DEFAULT_SOURCE, report=report)
            else:
                parsed = datainclusion.read(path_or_files, report=report)
        except FileRefused as exc:
            report.refuse(exc.message)
            return report
        except OSError as exc:
            report.refuse(f"Le fichier ne peut pas être lu : {exc.strerror or exc}.")
            return report
        if not parsed.services and not report.errors:
            report.refuse("Le fichier ne contient aucun service.")
            return report
        if format == "hsds":
            origin = f"Import HSDS 3 (source « {source or hsds.DEFAULT_SOURCE} »)"
        else:
            origin = "Import data·inclusion"
        return writer.run(
            parsed,
            report,
            organisation=organisation,
            actor=actor,
            origin=origin,
            progress=progress,
            duplicates=duplicates,
            decisions=decisions,
        )


def directory_export(
    *,
    actor: User | None = None,
    format: str,  # noqa: A002
    organisation: Organisation | None = None,
    include_drafts: bool = False,
    include_named_contacts: bool = False,
) -> dict:
    """The directory in a format, as {file name: content}: `hsds-json` (nested services), `hsds-csv`
    (the tabular package), `datainclusion` (structures.json and services.json).

    With `organisation`, only that organisation's services, for a member allowed to change them;
    without (the command), the published directory (published services of active organisations,
    what anyone reads on the public pages). Drafts and named contacts (a person's name, phone and
    e-mail) only when asked: `include_drafts`, `include_named_contacts`.
    """
    services = (Service.objects if include_drafts else access.services_public()).order_by("pk")
    if organisation is not None:
        if actor is None or not access.can_import_directory(actor, organisation):
            raise ApplicationError("Vous ne pouvez pas exporter les services de cette structure.")
        services = services.filter(organisation=organisation)
    with translation.override("fr"):
        if format == "hsds-json":
            return {"services.json": hsds.export_json(services, include_named_contacts=include_named_contacts)}
        if format == "hsds-csv":
            return hsds.export_csv_files(services, include_named_contacts=include_named_contacts)
        if format == "datainclusion":
            return datainclusion.export(services, include_named_contacts=include_named_contacts)
    raise ApplicationError(f"Format d'export inconnu « {format} ».")


def directory_export_count(*, include_drafts: bool = False) -> int:
    """How many services `directory_export` (without organisation) writes."""
    return (Service.objects if include_drafts else access.services_public()).count()


def export_download(files: dict[str, bytes]) -> tuple[str, bytes, str]:
    """One download: a single file as is, several in a zip."""
    if len(files) == 1:
        ((name, content),) = files.items()
        return name, content, "application/json"
    return "annuaire.zip", zip_bytes(files), "application/zip"
