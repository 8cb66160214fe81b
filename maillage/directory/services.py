"""Writes of the directory: one function per use case, in a transaction. Changes to services,
locations, phones and contacts are audited by django-auditlog (maillage.directory.audit)."""

from django.db import transaction
from django.utils import timezone

from maillage.core import access
from maillage.core.exceptions import ApplicationError
from maillage.core.models import Commune, Organisation, User
from maillage.directory.models import Location, Phone, Service, ServiceAccessibility, ServiceAtLocation, TaxonomyTerm
from maillage.directory.search import document_text

SERVICE_FIELDS = [
    "name",
    "alternate_name",
    "description",
    "url",
    "email",
    "status",
    "offer_kind",
    "age_min",
    "age_max",
    "eligibility_description",
    "fee_kind",
    "fee_description",
    "walk_in",
    "by_appointment",
    "on_referral_only",
    "by_phone",
    "application_process",
]


def service_reindex(service: Service) -> None:
    """Recompute the text the search engines index (SQLite's FTS5 table follows by trigger)."""
    Service.objects.filter(pk=service.pk).update(search_text=document_text(service))


def _write_details(
    service: Service,
    *,
    terms: list[TaxonomyTerm] | None,
    accessibility: list[str] | None,
    communes_served: list[Commune] | None,
    phone: str | None,
    location: dict | None,
) -> None:
    if terms is not None:
        service.terms.set(terms)
    if communes_served is not None:
        service.communes_served.set(communes_served)
    if accessibility is not None:
        service.accessibility.exclude(feature__in=accessibility).delete()
        for feature in accessibility:
            row = ServiceAccessibility(service=service, feature=feature)
            if not service.accessibility.filter(feature=feature).exists():
                row.full_clean()
                row.save()
    if phone is not None:
        _write_phone(service, phone)
    if location is not None:
        _write_location(service, location)


def _write_phone(service: Service, number: str) -> None:
    first = service.phones.first()
    if not number:
        if first is not None:
            first.delete()
        return
    if first is None:
        first = Phone(service=service, description="Accueil")
    first.number = number
    first.full_clean()
    first.save()


def _write_location(service: Service, data: dict) -> None:
    """The service's main place: the first one, created when missing; no address removes the link."""
    link = service.service_at_locations.select_related("location").first()
    if not data.get("address"):
        if link is not None:
            link.delete()
        return
    place = link.location if link is not None else Location(organisation=service.organisation)
    for name, value in data.items():
        setattr(place, name, value)
    place.full_clean()
    place.save()
    if link is None:
        ServiceAtLocation.objects.create(service=service, location=place)


@transaction.atomic
def service_create(
    *,
    actor: User,
    organisation: Organisation,
    data: dict,
    terms: list[TaxonomyTerm] | None = None,
    accessibility: list[str] | None = None,
    communes_served: list[Commune] | None = None,
    phone: str | None = None,
    location: dict | None = None,
) -> Service:
    """Add a service to the actor's organisation's directory entries (an editor role is needed)."""
    if not access.can_create_service(actor, organisation):
        raise ApplicationError("Vous ne pouvez pas ajouter de service pour cette structure.")
    service = Service(organisation=organisation, **{k: v for k, v in data.items() if k in SERVICE_FIELDS})
    service.full_clean()
    service.save()
    _write_details(
        service,
        terms=terms,
        accessibility=accessibility,
        communes_served=communes_served,
        phone=phone,
        location=location,
    )
    service_reindex(service)
    return service


@transaction.atomic
def service_update(
    *,
    actor: User,
    service: Service,
    data: dict,
    terms: list[TaxonomyTerm] | None = None,
    accessibility: list[str] | None = None,
    communes_served: list[Commune] | None = None,
    phone: str | None = None,
    location: dict | None = None,
) -> Service:
    """Change a service of one's organisation; `None` for a detail keeps it as it is."""
    if not access.can_change_service(actor, service):
        raise ApplicationError("Vous ne pouvez pas modifier ce service.")
    for name, value in data.items():
        if name in SERVICE_FIELDS:
            setattr(service, name, value)
    service.full_clean()
    service.save()
    _write_details(
        service,
        terms=terms,
        accessibility=accessibility,
        communes_served=communes_served,
        phone=phone,
        location=location,
    )
    service_reindex(service)
    return service


@transaction.atomic
def service_mark_verified(*, actor: User, service: Service) -> Service:
    """Record that someone of the organisation checked the service's information today."""
    if not access.can_change_service(actor, service):
        raise ApplicationError("Vous ne pouvez pas vérifier ce service.")
    service.last_verified_at = timezone.now()
    service.last_verified_by = actor
    service.save(update_fields=["last_verified_at", "last_verified_by", "updated_at"])
    return service
