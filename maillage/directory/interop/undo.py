"""Undoing an import from the staff page (issue 11, point 16): « Annuler cet import » removes the
services and places it created and puts back what it changed, as long as nobody changed them since
(a colleague's edit or a later import raises a service's version: then nothing is undone, and the
message names the services). The deletions and restorations go through the models' save() and
delete(), so django-auditlog writes their lines, which name the import undone."""

from auditlog.context import set_extra_data
from django.db import transaction
from django.utils import timezone

from maillage.core import access
from maillage.core.exceptions import ApplicationError
from maillage.core.grammar import count
from maillage.core.models import User
from maillage.directory.interop.writer import COMMUNES, DETAIL_MODELS, TERMS
from maillage.directory.models import ImportJob, Location, Service, ServiceAtLocation
from maillage.directory.services import service_reach_refresh, service_reindex

_DETAILS = {model._meta.model_name: model for model in DETAIL_MODELS}


def _value(model, attname: str, value):
    """A value of the undo record (JSON) as the model's field takes it."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    return fields[attname].to_python(value) if attname in fields and value is not None else value


def import_can_be_undone(job: ImportJob) -> bool:
    return job.status == ImportJob.Status.SUCCEEDED and bool(job.undo)


def _changed_since(job: ImportJob) -> list[str]:
    """The names of the services the import created or changed that someone changed since."""
    undo = job.undo
    created = undo.get("services_created", [])
    updated = {int(pk): entry["version"] for pk, entry in undo.get("services_updated", {}).items()}
    names = []
    for pk, name, version in Service.objects.filter(pk__in=[*created, *updated]).values_list("pk", "name", "version"):
        expected = updated.get(pk, 1)
        if version != expected:
            names.append(name)
    return sorted(names)


@transaction.atomic
def import_undo(*, actor: User, job: ImportJob) -> dict:
    """Undo one import of the actor's organisation: delete what it created, restore what it changed.
    Refused (ApplicationError, in French) when it is not a finished import or when a service it wrote
    was changed since. Returns the counts {"deleted": n, "restored": n}."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if not access.can_import_directory(actor, job.organisation):
        raise ApplicationError("Vous ne pouvez pas annuler les imports de cette structure.")
    if not import_can_be_undone(job):
        raise ApplicationError("Seul un import terminé, et pas encore annulé, peut être annulé.")
    changed = _changed_since(job)
    if changed:
        listed = ", ".join(f"« {name} »" for name in changed[:5]) + (" et d'autres" if len(changed) > 5 else "")
        raise ApplicationError(
            f"Cet import ne peut plus être annulé : {len(changed)} des services qu'il a ajoutés ou modifiés "
            f"l'ont été de nouveau depuis ({listed}). Corrigez-les un par un depuis leur fiche."
        )
    undo = job.undo
    what = f"Annulation de l'import « {job.original_name} » du {timezone.localtime(job.created_at):%d/%m/%Y %H:%M}"
    context = {"actor": actor, "remote_addr": None, "organisation": job.organisation, "changes_text": what}
    with set_extra_data(context):
        created = list(Service.objects.filter(pk__in=undo.get("services_created", [])))
        for service in created:
            service.delete()
        restored = _restore_services(undo.get("services_updated", {}))
        _restore_locations(undo.get("locations_updated", {}))
        places = Location.objects.filter(pk__in=undo.get("locations_created", [])).exclude(
            pk__in=ServiceAtLocation.objects.values("location_id")
        )
        for place in places:
            place.delete()
    job.status = ImportJob.Status.UNDONE
    job.undone_at, job.undone_by = timezone.now(), actor
    deleted = count(len(created), "service supprimé", "services supprimés")
    job.stage = f"Import annulé : {deleted}, {len(restored)} remis en l'état."
    job.save(update_fields=["status", "undone_at", "undone_by", "stage"])
    return {"deleted": len(created), "restored": len(restored)}


def _restore_services(updated: dict) -> list[Service]:
    restored = []
    for pk, entry in updated.items():
        service = Service.objects.filter(pk=int(pk)).first()
        if service is None:
            continue
        for name, value in entry["fields"].items():
            setattr(service, name, _value(Service, name, value))
        service.version += 1
        service.save()
        for kind, rows in entry["details"].items():
            if kind == "terms":
                TERMS.objects.filter(service=service).delete()
                TERMS.objects.bulk_create([TERMS(service_id=service.pk, taxonomyterm_id=t) for t in rows])
            elif kind == "communes":
                COMMUNES.objects.filter(service=service).delete()
                COMMUNES.objects.bulk_create([COMMUNES(service_id=service.pk, commune_id=c) for c in rows])
            elif kind == "locations":
                ServiceAtLocation.objects.filter(service=service).delete()
                for row in rows:
                    ServiceAtLocation.objects.create(service=service, **row)
            else:
                model = _DETAILS[kind]
                model.objects.filter(service=service).delete()
                model.objects.bulk_create(
                    [model(service=service, **{k: _value(model, k, v) for k, v in row.items()}) for row in rows]
                )
        service_reindex(service)
        restored.append(service)
    return restored


def _restore_locations(updated: dict) -> None:
    for pk, fields in updated.items():
        place = Location.objects.filter(pk=int(pk)).first()
        if place is None:
            continue
        for name, value in fields.items():
            setattr(place, name, _value(Location, name, value))
        place.save()
        service_reach_refresh(service_ids=[], location_ids=[place.pk])
