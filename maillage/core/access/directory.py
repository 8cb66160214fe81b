"""Access rules of the directory: services and their import jobs."""

from dataclasses import dataclass

from django.db.models import Q
from django.http import Http404

from maillage.core.access.base import Perm, active_memberships, has_perm, role_in  # noqa: F401
from maillage.core.models import Organisation, User
from maillage.directory.enums import ServiceStatus
from maillage.directory.models import Service

# --- Directory services --------------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceScope:
    """Which services a reader may find in the directory: the published ones (of active organisations
    only, on the public directory) and every service of the reader's own organisations. One rule read
    two ways: as a queryset (`queryset`), and by the search's in-memory index (directory.search.index),
    which applies the same test to its arrays; tests check that both give the same services."""

    active_organisations_only: bool = False
    own_organisation_ids: frozenset[int] = frozenset()

    def queryset(self):
        published = Q(status=ServiceStatus.PUBLISHED)
        if self.active_organisations_only:
            published &= Q(organisation__is_active=True)
        if self.own_organisation_ids:
            return Service.objects.filter(published | Q(organisation_id__in=sorted(self.own_organisation_ids)))
        return Service.objects.filter(published)


PUBLIC_SCOPE = ServiceScope(active_organisations_only=True)


def service_scope_for(user: User) -> ServiceScope:
    """Published services, for everyone (anonymous included); drafts, for members of their organisation."""
    if not user.is_authenticated:
        return ServiceScope()
    loaded = getattr(user, "_maillage_active_memberships", None)  # loaded by the middleware (role_in)
    if loaded is not None:
        return ServiceScope(own_organisation_ids=frozenset(m.organisation_id for m in loaded))
    own = active_memberships(user).values_list("organisation_id", flat=True)
    return ServiceScope(own_organisation_ids=frozenset(own))


def services_visible_to(user: User):
    """Published services, for everyone (anonymous included); drafts, for members of their organisation."""
    return service_scope_for(user).queryset()


def services_public():
    """What the public directory shows: published services of active organisations."""
    return PUBLIC_SCOPE.queryset()


def can_view_service(user: User, service: Service) -> bool:
    """A published service is readable by everyone; a draft, only by active members of its organisation."""
    if service.status == ServiceStatus.PUBLISHED:
        return True
    return role_in(user, service.organisation) is not None


def can_create_service(user: User, organisation: Organisation | None) -> bool:
    """An active member of the organisation, with an editor role, adds services to it."""
    return has_perm(user, organisation, Perm.CHANGE_SERVICE)


def can_change_service(user: User, service: Service) -> bool:
    """An active member of the service's organisation, with an editor role (administrator,
    coordinator, reception agent, partner), edits and verifies that organisation's services."""
    return has_perm(user, service.organisation, Perm.CHANGE_SERVICE)


def get_service_for(user: User, pk, action: str = "view") -> Service:
    """Fetch a service and authorise `action` ("view" or "change"); 404 for absent and forbidden alike."""
    allowed = {"view": can_view_service, "change": can_change_service}[action]
    service = Service.objects.select_related("organisation").filter(pk=pk).first()
    if service is None or not allowed(user, service):
        raise Http404("Service introuvable.")
    return service


# --- Directory import and export (maillage.directory.interop) ------------------------------------


def can_import_directory(user: User, organisation: Organisation | None) -> bool:
    """Those who keep the organisation's directory entries (CHANGE_SERVICE) import files into them,
    export them, and follow their imports."""
    return has_perm(user, organisation, Perm.CHANGE_SERVICE)


def import_jobs_visible_to(user: User, organisation: Organisation | None):
    """The imports of `organisation`, if the user may import into its directory entries; none otherwise."""
    from maillage.directory.models import ImportJob

    if not can_import_directory(user, organisation):
        return ImportJob.objects.none()
    return ImportJob.objects.filter(organisation=organisation).select_related("created_by")


def get_import_job_for(user: User, organisation: Organisation | None, pk) -> "ImportJob":  # noqa: F821
    """Fetch one import of the current organisation; 404 for absent and for another organisation's."""
    job = import_jobs_visible_to(user, organisation).filter(pk=pk).first()
    if job is None:
        raise Http404("Import introuvable.")
    return job
