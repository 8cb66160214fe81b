"""The neutral form both formats are read into, its validation, and the one writer.

A reader (hsds.py, datainclusion.py) turns a file into `Parsed`: organisations, locations and
services, each remembering where it stands in the file (`Where`) and the file's name for each of
its fields. `check` then builds the unsaved model instances, runs the models' own validation
(`full_clean`, French messages) and the cross-checks (commune INSEE codes against `core.Commune`,
taxonomy codes against `TaxonomyTerm`, identifiers taken by another organisation), and collects
every error. Only when there is none does `write` run, in one transaction, with bulk inserts.

Identity: a service is `(source, source_id)` (`Service.source`, `Service.source_id`); organisations
and locations have their own reference tables (`ImportedOrganisationRef`, `ImportedLocationRef`),
so that importing the same source again updates in place instead of duplicating.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from maillage.core.enums import OrganisationKind
from maillage.core.models import Commune, Organisation
from maillage.directory.enums import AccessibilityFeature
from maillage.directory.interop.report import ImportReport
from maillage.directory.models import (
    Contact,
    ImportedLocationRef,
    ImportedOrganisationRef,
    Location,
    Phone,
    RegularSchedule,
    ScheduleException,
    Service,
    ServiceAccessibility,
    ServiceAtLocation,
    ServiceCapacity,
    ServiceLanguage,
    TaxonomyTerm,
)
from maillage.directory.search import normalise

Progress = Callable[[str, float], None]
BATCH = 2000

SERVICE_DATA_FIELDS = [
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
    "last_verified_at",
]

ACCESSIBILITY_BY_LABEL = {label.casefold(): value for value, label in AccessibilityFeature.choices}


@dataclass(frozen=True)
class Where:
    file: str
    position: str


@dataclass
class Item:
    """A row of the file: the values by model field, and the file's name for each model field."""

    where: Where
    values: dict
    names: dict = field(default_factory=dict)
    key: str = ""  # a reference to a location (schedules) or its own identifier

    def name(self, model_field: str) -> str:
        return self.names.get(model_field, model_field)


@dataclass
class OrganisationRecord:
    where: Where
    source: str
    source_id: str
    values: dict  # name, siret, email, website, phone
    names: dict = field(default_factory=dict)


@dataclass
class LocationRecord:
    where: Where
    source: str
    source_id: str
    organisation_key: str
    values: dict  # name, address, address_complement, postal_code, latitude, longitude, transportation
    commune_code: str
    names: dict = field(default_factory=dict)


@dataclass
class ServiceRecord:
    where: Where
    source: str
    source_id: str
    organisation_key: str
    values: dict
    names: dict = field(default_factory=dict)
    locations: list[Item] = field(default_factory=list)  # key = location source_id; values: description
    phones: list[Item] = field(default_factory=list)
    contacts: list[Item] = field(default_factory=list)
    schedules: list[Item] = field(default_factory=list)  # key = location source_id or ""
    exceptions: list[Item] = field(default_factory=list)
    languages: list[Item] = field(default_factory=list)
    accessibility: list[Item] = field(default_factory=list)
    capacities: list[Item] = field(default_factory=list)
    terms: list[Item] = field(default_factory=list)  # values: taxonomy (slug or ""), code
    communes_served: list[Item] = field(default_factory=list)  # values: code


@dataclass
class Parsed:
    organisations: dict[tuple[str, str], OrganisationRecord] = field(default_factory=dict)
    locations: dict[tuple[str, str], LocationRecord] = field(default_factory=dict)
    services: list[ServiceRecord] = field(default_factory=list)


@dataclass
class _Planned:
    record: ServiceRecord
    service: Service
    organisation_key: tuple[str, str]
    children: dict[type, list] = field(default_factory=dict)
    location_keys: list[tuple[str, str, str]] = field(default_factory=list)  # (source, id, description)
    schedule_locations: list[tuple[RegularSchedule, tuple[str, str] | None]] = field(default_factory=list)
    terms: list[TaxonomyTerm] = field(default_factory=list)
    communes: list[Commune] = field(default_factory=list)


@dataclass
class Plan:
    organisations: dict[tuple[str, str], Organisation] = field(default_factory=dict)
    new_refs: list[ImportedOrganisationRef] = field(default_factory=list)
    organisations_to_update: list[Organisation] = field(default_factory=list)
    locations: dict[tuple[str, str], tuple[Location, tuple[str, str]]] = field(default_factory=dict)
    services: list[_Planned] = field(default_factory=list)


def _messages(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {name: [m for e in errors for m in e.messages] for name, errors in exc.error_dict.items()}
    return {"": list(exc.messages)}


def _clean(instance, item_names: dict, where: Where, report: ImportReport, exclude: list[str]) -> bool:
    """Run the model's validation (French messages); report each error under the file's field name."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        for name, messages in _messages(exc).items():
            file_name = item_names.get(name, name) if name != "__all__" else ""
            for message in messages:
                report.add(where.file, where.position, file_name, message)
        return False
    return True


def _blank_to_none(values: dict, nullable: set[str]) -> dict:
    return {k: (None if k in nullable and v in ("", None) else v) for k, v in values.items()}


_SERVICE_NULLABLE = {"age_min", "age_max", "last_verified_at"}
_LOCATION_NULLABLE = {"latitude", "longitude"}


def check(parsed: Parsed, report: ImportReport, *, organisation: Organisation | None = None) -> Plan:
    """Validate everything; return what `write` needs. Errors go to `report` (nothing is written here).

    With `organisation` (an import from the staff page), every service and place goes to that
    organisation whatever the file says, and an identifier already used by another organisation
    for the same source is refused.
    """
    plan = Plan()
    communes = {c.code: c for c in Commune.objects.only("pk", "code", "name")}
    terms_by_key: dict[tuple[str, str], TaxonomyTerm] = {}
    terms_by_code: dict[str, list[TaxonomyTerm]] = {}
    for term in TaxonomyTerm.objects.select_related("taxonomy").only(
        "pk", "code", "name", "position", "taxonomy__slug"
    ):
        terms_by_key[(term.taxonomy.slug, term.code)] = term
        terms_by_code.setdefault(term.code, []).append(term)

    _check_organisations(parsed, plan, report, organisation)
    _check_locations(parsed, plan, report, communes, organisation)

    sources = {r.source for r in parsed.services}
    existing = {
        (s, sid): (pk, org_id)
        for s, sid, pk, org_id in Service.objects.filter(source__in=sources).values_list(
            "source", "source_id", "pk", "organisation_id"
        )
    }
    seen: dict[tuple[str, str], Where] = {}
    for record in parsed.services:
        key = (record.source, record.source_id)
        where = record.where
        if not record.source_id:
            report.add(where.file, where.position, record.names.get("source_id", "id"), "Identifiant manquant.")
            continue
        if key in seen:
            first = seen[key]
            report.add(
                where.file,
                where.position,
                record.names.get("source_id", "id"),
                f"Identifiant « {record.source_id} » en double (déjà utilisé {first.position}).",
            )
            continue
        seen[key] = where
        org_key = (record.source, record.organisation_key)
        if organisation is None and not record.organisation_key:
            report.add(
                where.file, where.position, record.names.get("organisation", "organization_id"), "Structure manquante."
            )
        elif organisation is None and org_key not in parsed.organisations:
            report.add(
                where.file,
                where.position,
                record.names.get("organisation", "organization_id"),
                f"La structure « {record.organisation_key} » n'est pas décrite dans le fichier.",
            )
        if key in existing and organisation is not None and existing[key][1] != organisation.pk:
            report.add(
                where.file,
                where.position,
                record.names.get("source_id", "id"),
                f"L'identifiant « {record.source_id} » de la source « {record.source} » est celui d'un service "
                "d'une autre structure : choisissez une autre source.",
            )
        values = _blank_to_none(record.values, _SERVICE_NULLABLE)
        service = Service(source=record.source, source_id=record.source_id, **values)
        if key in existing:
            service.pk = existing[key][0]
            service._state.adding = False
        _clean(service, record.names, where, report, exclude=["organisation", "last_verified_by", "search_text"])
        planned = _Planned(record=record, service=service, organisation_key=org_key)
        planned.children = _check_children(record, report)
        for item in record.locations:
            loc_key = (record.source, item.key)
            if loc_key not in parsed.locations:
                report.add(
                    item.where.file,
                    item.where.position,
                    item.name("location"),
                    f"Le lieu « {item.key} » n'est pas décrit dans le fichier.",
                )
            planned.location_keys.append((record.source, item.key, item.values.get("description", "")))
        service_locations = {item.key for item in record.locations}
        for item in record.schedules:
            schedule = RegularSchedule(**item.values)
            if _clean(schedule, item.names, item.where, report, exclude=["service", "location"]):
                if item.key and item.key not in service_locations:
                    report.add(
                        item.where.file,
                        item.where.position,
                        item.name("location"),
                        f"Le lieu « {item.key} » n'est pas un lieu de ce service.",
                    )
                planned.schedule_locations.append((schedule, (record.source, item.key) if item.key else None))
        for item in record.terms:
            term = _find_term(item, terms_by_key, terms_by_code, report)
            if term is not None and term not in planned.terms:
                planned.terms.append(term)
        for item in record.communes_served:
            code = str(item.values.get("code") or "").strip()
            commune = communes.get(code)
            if commune is None:
                report.add(item.where.file, item.where.position, item.name("code"), _unknown_commune(code))
            elif commune not in planned.communes:
                planned.communes.append(commune)
        plan.services.append(planned)
    return plan


def _unknown_commune(code: str) -> str:
    if not code:
        return "Code INSEE de la commune manquant."
    return f"La commune de code INSEE « {code} » n'existe pas (ou n'est pas chargée dans Maillage)."


def _find_term(item: Item, by_key, by_code, report: ImportReport) -> TaxonomyTerm | None:
    taxonomy, code = (item.values.get("taxonomy") or "").strip(), (item.values.get("code") or "").strip()
    where = item.where
    if not code:
        report.add(where.file, where.position, item.name("code"), "Code de taxonomie manquant.")
        return None
    if taxonomy:
        term = by_key.get((taxonomy, code))
        if term is None:
            report.add(
                where.file,
                where.position,
                item.name("code"),
                f"Le code « {code} » n'existe pas dans la taxonomie « {taxonomy} ».",
            )
        return term
    candidates = by_code.get(code, [])
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        report.add(where.file, where.position, item.name("code"), f"Le code de taxonomie « {code} » n'existe pas.")
    else:
        report.add(
            where.file,
            where.position,
            item.name("code"),
            f"Le code « {code} » existe dans plusieurs taxonomies : précisez la taxonomie.",
        )
    return None


_CHILD_MODELS = [
    ("phones", Phone),
    ("contacts", Contact),
    ("exceptions", ScheduleException),
    ("languages", ServiceLanguage),
    ("accessibility", ServiceAccessibility),
    ("capacities", ServiceCapacity),
]
_CHILD_NULLABLE = {"opens_at", "closes_at", "maximum", "available"}


def _check_children(record: ServiceRecord, report: ImportReport) -> dict[type, list]:
    children: dict[type, list] = {}
    for attribute, model in _CHILD_MODELS:
        rows, seen = [], set()
        for item in getattr(record, attribute):
            values = _blank_to_none(item.values, _CHILD_NULLABLE)
            if model is ServiceAccessibility:
                feature = str(values.get("feature") or "").strip()
                values["feature"] = ACCESSIBILITY_BY_LABEL.get(feature.casefold(), feature)
            instance = model(**values)
            if _clean(instance, item.names, item.where, report, exclude=["service"]):
                unique = {ServiceLanguage: "code", ServiceAccessibility: "feature"}.get(model)
                if unique and getattr(instance, unique) in seen:
                    continue  # the same language or feature twice: once is enough
                if unique:
                    seen.add(getattr(instance, unique))
                rows.append(instance)
        children[model] = rows
    return children


def _check_organisations(parsed: Parsed, plan: Plan, report: ImportReport, scope: Organisation | None) -> None:
    if scope is not None:
        return
    refs = {
        (r.source, r.source_id): r
        for r in ImportedOrganisationRef.objects.select_related("organisation").filter(
            source__in={k[0] for k in parsed.organisations}
        )
    }
    by_siret = {
        o.siret: o
        for o in Organisation.objects.filter(
            siret__in=[r.values.get("siret") for r in parsed.organisations.values() if r.values.get("siret")]
        )
    }
    created_by_siret: dict[str, Organisation] = {}
    for key, record in parsed.organisations.items():
        values = {k: ("" if v is None else v) for k, v in record.values.items()}
        ref = refs.get(key)
        siret = str(values.get("siret") or "").replace(" ", "")
        values["siret"] = siret
        if ref is not None:
            organisation = ref.organisation
            if ref.owned:
                for name, value in values.items():
                    setattr(organisation, name, value)
                plan.organisations_to_update.append(organisation)
        elif siret and (siret in by_siret or siret in created_by_siret):
            organisation = by_siret.get(siret) or created_by_siret[siret]
            plan.new_refs.append(
                ImportedOrganisationRef(source=key[0], source_id=key[1], organisation=organisation, owned=False)
            )
        else:
            organisation = Organisation(kind=OrganisationKind.OTHER, **values)
            if siret:
                created_by_siret[siret] = organisation
            plan.new_refs.append(
                ImportedOrganisationRef(source=key[0], source_id=key[1], organisation=organisation, owned=True)
            )
        if _clean(organisation, record.names, record.where, report, exclude=["commune", "communes_served"]):
            plan.organisations[key] = organisation


def _check_locations(parsed, plan: Plan, report: ImportReport, communes: dict, scope: Organisation | None) -> None:
    refs = {
        (r.source, r.source_id): r.location
        for r in ImportedLocationRef.objects.select_related("location").filter(
            source__in={k[0] for k in parsed.locations}
        )
    }
    for key, record in parsed.locations.items():
        where = record.where
        values = _blank_to_none(record.values, _LOCATION_NULLABLE)
        location = refs.get(key)
        if location is not None and scope is not None and location.organisation_id != scope.pk:
            report.add(
                where.file,
                where.position,
                record.names.get("source_id", "id"),
                f"L'identifiant de lieu « {record.source_id} » de la source « {record.source} » est celui d'un lieu "
                "d'une autre structure : choisissez une autre source.",
            )
            continue
        if location is None:
            location = Location(**values)
        else:
            for name, value in values.items():
                setattr(location, name, value)
        commune = communes.get((record.commune_code or "").strip())
        if commune is None:
            report.add(
                where.file,
                where.position,
                record.names.get("commune", "commune"),
                _unknown_commune(record.commune_code),
            )
        else:
            location.commune = commune
        if _clean(location, record.names, where, report, exclude=["organisation", "commune"]) and commune:
            plan.locations[key] = (location, (record.source, record.organisation_key))


# --- Writing --------------------------------------------------------------------------------------


def _chunks(items, size=BATCH):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _insert_links(through, columns: tuple[str, str], pairs: list[tuple[int, int]]) -> None:
    """Insert many-to-many links given as (service id, other id): no model instance on PostgreSQL."""
    if connection.vendor != "postgresql":
        through.objects.bulk_create(
            [through(**dict(zip(columns, pair, strict=True))) for pair in pairs], batch_size=BATCH
        )
        return
    if not pairs:
        return
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor, cursor.copy(f"COPY {through._meta.db_table} ({names}) FROM STDIN") as copy:
        for pair in pairs:
            copy.write_row(pair)


def _insert(model, instances: list) -> None:
    """Insert rows nobody reads back (a service's details and links). PostgreSQL: one COPY per
    table, which spares Django's per-value preparation and the server its parsing of INSERTs (the
    import's largest cost, bench/directory_import.py); elsewhere, bulk_create. Like bulk_create, no
    signals and no save()."""
    if not instances:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(instances, batch_size=BATCH)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor, cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
        for instance in instances:
            copy.write_row([f.pre_save(instance, True) for f in fields])


def _search_text(service: Service, organisation: Organisation, terms, communes_at_locations) -> str:
    """The same text as `search.document_text`, from what is in memory (no query per service)."""
    parts = [service.name, service.alternate_name, service.description, organisation.name]
    ordered = sorted(terms, key=lambda t: (t.taxonomy.slug, t.position, t.name))
    parts += [term.name for term in ordered]
    parts += communes_at_locations
    return " ".join(normalise(" ".join(p for p in parts if p)))


def write(plan: Plan, report: ImportReport, *, organisation: Organisation | None = None, progress: Progress) -> None:
    """Write the checked plan in one transaction. Raises IntegrityError (rolled back) on a conflict."""
    now = timezone.now()
    with transaction.atomic():
        # Organisations: new ones, details of those the import owns, and the references.
        for org in plan.organisations.values():
            if org.pk is None:
                org.save()
                report.organisations_created += 1
        for org in plan.organisations_to_update:
            org.save()
        ImportedOrganisationRef.objects.bulk_create(plan.new_refs, batch_size=BATCH)
        progress("Écriture des lieux", 0.55)

        # Places: the organisation of the place, else of the first service delivered there.
        first_org = {}
        for planned in plan.services:
            for source, loc_id, _ in planned.location_keys:
                first_org.setdefault((source, loc_id), planned.organisation_key)
        new_locations, changed_locations, new_keys = [], [], []
        for key, (location, org_key) in plan.locations.items():
            owner = organisation or plan.organisations.get(org_key if org_key[1] else first_org.get(key))
            if owner is None:
                owner = plan.organisations.get(first_org.get(key))
            if owner is None:
                continue  # a place no service of the file uses, without organisation: nothing to attach
            location.organisation = owner
            if location.pk is None:
                new_locations.append(location)
                new_keys.append(key)
            else:
                changed_locations.append(location)
        Location.objects.bulk_create(new_locations, batch_size=BATCH)
        report.locations_created = len(new_locations)
        Location.objects.bulk_update(
            changed_locations,
            [
                "name",
                "address",
                "address_complement",
                "postal_code",
                "commune",
                "latitude",
                "longitude",
                "transportation",
            ],
            batch_size=BATCH,
        )
        ImportedLocationRef.objects.bulk_create(
            [
                ImportedLocationRef(source=key[0], source_id=key[1], location=plan.locations[key][0])
                for key in new_keys
            ],
            batch_size=BATCH,
        )
        progress("Écriture des services", 0.65)

        # Services
        new_services, changed_services = [], []
        for planned in plan.services:
            service = planned.service
            owner = organisation or plan.organisations[planned.organisation_key]
            service.organisation = owner
            service.updated_at = now
            communes_at = [
                plan.locations[(s, lid)][0].commune.name
                for s, lid, _ in planned.location_keys
                if (s, lid) in plan.locations
            ]
            service.search_text = _search_text(service, owner, planned.terms, communes_at)
            (new_services if service.pk is None else changed_services).append(service)
        Service.objects.bulk_create(new_services, batch_size=BATCH)
        Service.objects.bulk_update(
            changed_services,
            [*SERVICE_DATA_FIELDS, "organisation", "search_text", "updated_at"],
            batch_size=BATCH,
        )
        report.created, report.updated = len(new_services), len(changed_services)
        progress("Écriture des détails", 0.8)

        # Details: those of updated services are replaced by the file's.
        changed_ids = [s.pk for s in changed_services]
        for ids in _chunks(changed_ids):
            for model in (Phone, Contact, RegularSchedule, ScheduleException, ServiceLanguage):
                model.objects.filter(service_id__in=ids).delete()
            for model in (ServiceAccessibility, ServiceCapacity, ServiceAtLocation):
                model.objects.filter(service_id__in=ids).delete()
            Service.terms.through.objects.filter(service_id__in=ids).delete()
            Service.communes_served.through.objects.filter(service_id__in=ids).delete()

        rows: dict[type, list] = {model: [] for _, model in _CHILD_MODELS}
        rows[RegularSchedule], rows[ServiceAtLocation] = [], []
        term_links, commune_links = [], []
        for planned in plan.services:
            service = planned.service
            for model, instances in planned.children.items():
                for instance in instances:
                    instance.service = service
                    rows[model].append(instance)
            linked = set()
            for source, loc_id, description in planned.location_keys:
                location = plan.locations.get((source, loc_id), (None,))[0]
                if location is None or location.pk in linked:
                    continue
                linked.add(location.pk)
                rows[ServiceAtLocation].append(
                    ServiceAtLocation(service=service, location=location, description=description or "")
                )
            for schedule, loc_key in planned.schedule_locations:
                schedule.service = service
                schedule.location = plan.locations[loc_key][0] if loc_key in plan.locations else None
                rows[RegularSchedule].append(schedule)
            term_links += [(service.pk, t.pk) for t in planned.terms]
            commune_links += [(service.pk, c.pk) for c in planned.communes]
        for model, instances in rows.items():
            _insert(model, instances)
        _insert_links(Service.terms.through, ("service_id", "taxonomyterm_id"), term_links)
        _insert_links(Service.communes_served.through, ("service_id", "commune_id"), commune_links)
        progress("Terminé", 1.0)


def run(parsed: Parsed, report: ImportReport, *, organisation=None, progress: Progress) -> ImportReport:
    """Check, then write only if nothing was rejected. Any conflict at writing rolls everything back."""
    progress("Vérification des lignes", 0.3)
    plan = check(parsed, report, organisation=organisation)
    if report.errors:
        return report
    try:
        write(plan, report, organisation=organisation, progress=progress)
    except IntegrityError as exc:
        report.created = report.updated = report.organisations_created = report.locations_created = 0
        report.refuse(f"Conflit à l'écriture, rien n'a été enregistré : {exc}")
    return report


def aware_midnight(day) -> datetime:
    """A date from a file (HSDS assured_date, data·inclusion date_maj) as the start of that day, in Paris."""
    return timezone.make_aware(datetime.combine(day, time.min))
