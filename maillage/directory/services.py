"""Writes of the directory: one function per use case, in a transaction. Changes to services,
locations, phones and contacts are audited by django-auditlog (maillage.directory.audit)."""

from collections.abc import Iterable
from datetime import time

from django.db import connection, transaction
from django.utils import timezone

from maillage.core import access, versioning
from maillage.core.exceptions import ApplicationError
from maillage.core.models import Commune, Organisation, User
from maillage.directory.models import (
    Location,
    Phone,
    RegularSchedule,
    Service,
    ServiceAccessibility,
    ServiceAtLocation,
    ServiceLanguage,
    ServiceReach,
    TaxonomyTerm,
)
from maillage.directory.search import document_text, name_text

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
    "hours_notes",
]


def service_reindex(service: Service) -> None:
    """Recompute what the search reads besides the service's own columns: the text the engines index
    (SQLite's FTS5 table follows by trigger) and the communes where the service is at hand, its own
    and those of every service delivered at one of its places (a place's commune may have changed)."""
    Service.objects.filter(pk=service.pk).update(
        search_text=document_text(service), name_text=name_text(service.name, service.alternate_name)
    )
    service_reach_refresh(service_ids=[service.pk], location_ids=service.locations.values_list("pk", flat=True))


REACH_CHUNK = 900  # ids per statement: under SQLite's historical limit of 999 parameters


def _reach_sql() -> tuple[str, str, str]:
    """INSERT … SELECT of the reach rows, and the two places where a `service_id IN (…)` condition goes."""
    q = connection.ops.quote_name
    reach, served = q(ServiceReach._meta.db_table), q(Service.communes_served.through._meta.db_table)
    sal, location = q(ServiceAtLocation._meta.db_table), q(Location._meta.db_table)
    commune = q(Commune._meta.db_table)
    insert = (
        f"INSERT INTO {reach} (service_id, commune_id, epci_id, departement_id) "  # noqa: S608 — names from _meta
        f"SELECT near.service_id, c.id, c.epci_id, c.departement_id FROM ("
        f"SELECT service_id, commune_id FROM {served} {{served_where}} UNION "
        f"SELECT sal.service_id, l.commune_id FROM {sal} sal JOIN {location} l ON l.id = sal.location_id "
        f"{{located_where}}) near JOIN {commune} c ON c.id = near.commune_id "
        # In the order of the (service, commune) unique index: each row goes to its rightmost page
        # (PostgreSQL, a fifth less time to insert 100,000 rows of a first import).
        "ORDER BY near.service_id, c.id"
    )
    return insert, "WHERE service_id IN ({ids})", "WHERE sal.service_id IN ({ids})"


def _reach_refresh_postgres(insert: str, ids: set[int], location_ids: list[int]) -> None:
    """PostgreSQL: the same rows in three statements whatever the number of services, the ids sent as
    one array parameter (`= ANY(%s)`). An import refreshes tens of thousands of services: as
    REACH_CHUNK-long `IN (%s, …)` lists, building and parsing the statements (client and server)
    cost more than writing the rows (bench/directory_import.py)."""
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        if location_ids:
            cursor.execute(
                f"SELECT DISTINCT service_id FROM {q(ServiceAtLocation._meta.db_table)} "  # noqa: S608 — names from _meta
                "WHERE location_id = ANY(%s)",
                [location_ids],
            )
            ids.update(row[0] for row in cursor.fetchall())
        if not ids:
            return
        ordered = sorted(ids)
        cursor.execute(f"DELETE FROM {q(ServiceReach._meta.db_table)} WHERE service_id = ANY(%s)", [ordered])  # noqa: S608
        cursor.execute(
            insert.format(served_where="WHERE service_id = ANY(%s)", located_where="WHERE sal.service_id = ANY(%s)"),
            [ordered, ordered],
        )


def service_reach_refresh(*, service_ids: Iterable[int] | None = None, location_ids: Iterable[int] = ()) -> None:
    """Rewrite the reach rows (models.ServiceReach) of the given services and of the services delivered
    at the given places; without `service_ids`, of every service (data migration, benchmark, a new
    edition of the territories). Set-based: two statements per REACH_CHUNK services (SQLite), three in
    all (PostgreSQL)."""
    insert, served_where, located_where = _reach_sql()
    with transaction.atomic():
        if service_ids is None:
            ServiceReach.objects.all().delete()
            with connection.cursor() as cursor:
                cursor.execute(insert.format(served_where="", located_where=""))
            return
        ids = set(service_ids)
        location_ids = list(location_ids)
        if connection.vendor == "postgresql":
            _reach_refresh_postgres(insert, ids, location_ids)
            return
        for start in range(0, len(location_ids), REACH_CHUNK):
            chunk = location_ids[start : start + REACH_CHUNK]
            ids.update(ServiceAtLocation.objects.filter(location_id__in=chunk).values_list("service_id", flat=True))
        ordered = sorted(ids)
        for start in range(0, len(ordered), REACH_CHUNK):
            chunk = ordered[start : start + REACH_CHUNK]
            ServiceReach.objects.filter(service_id__in=chunk).delete()
            marks = ", ".join(["%s"] * len(chunk))
            sql = insert.format(
                served_where=served_where.format(ids=marks), located_where=located_where.format(ids=marks)
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, [*chunk, *chunk])


def _write_details(
    service: Service,
    *,
    terms: list[TaxonomyTerm] | None,
    accessibility: list[str] | None,
    communes_served: list[Commune] | None,
    phone: str | None,
    location: dict | None,
    schedules: list | None = None,
    languages: list | None = None,
) -> None:
    if schedules is not None:
        _write_schedules(service, schedules)
    if languages is not None:
        _write_languages(service, languages)
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


def _write_schedules(service: Service, spans: list[tuple[int, time, time]]) -> None:
    """The service's weekly opening hours (what « Ouvert maintenant » reads), as the form's table says:
    the spans already held are kept, the others removed or added."""
    wanted = {(weekday, opens, closes) for weekday, opens, closes in spans}
    held = {(s.weekday, s.opens_at, s.closes_at): s for s in service.regular_schedules.filter(location=None)}
    for key, schedule in held.items():
        if key not in wanted:
            schedule.delete()
    # Spans an import tied to one of the service's places: the form shows the week as one table.
    service.regular_schedules.exclude(location=None).delete()
    for weekday, opens, closes in sorted(wanted - set(held)):
        schedule = RegularSchedule(service=service, weekday=weekday, opens_at=opens, closes_at=closes)
        schedule.full_clean()
        schedule.save()


def _write_languages(service: Service, languages: list[tuple[str, str]]) -> None:
    """The languages spoken at the service: (code, French name) pairs."""
    codes = {code for code, _ in languages}
    service.languages.exclude(code__in=codes).delete()
    held = set(service.languages.values_list("code", flat=True))
    for code, name in languages:
        if code not in held:
            language = ServiceLanguage(service=service, code=code, name=name)
            language.full_clean()
            language.save()


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
    schedules: list | None = None,
    languages: list | None = None,
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
        schedules=schedules,
        languages=languages,
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
    schedules: list | None = None,
    languages: list | None = None,
    version: int | None = None,
) -> Service:
    """Change a service of one's organisation; `None` for a detail keeps it as it is (`schedules`: the
    weekly spans (weekday, opens, closes); `languages`: (code, name) pairs). `version` is
    the one the form was read at: a service changed since (by a colleague or an import) is refused
    (versioning.StaleVersionError)."""
    if not access.can_change_service(actor, service):
        raise ApplicationError("Vous ne pouvez pas modifier ce service.")
    current = versioning.lock(Service, service.pk)
    versioning.check(current, version)
    service.version = current.version + 1
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
        schedules=schedules,
        languages=languages,
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
