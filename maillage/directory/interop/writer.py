"""Writing a checked import (`records.check` → `Plan`) in one transaction, touching only what changed.

A service new to the directory is inserted with its details. A service already imported from the
same source and identifier is compared with what the directory holds: its fields, then each kind of
detail (phones, contacts, hours, languages, accessibility, capacities, places, terms, communes
served); only the fields and the kinds of detail that differ are rewritten, so that re-importing an
unchanged file writes nothing but its check. Places likewise. Every creation and change gets its
audit line (`interop.trail`), and the search's derived rows (search text, reach) are refreshed for
the services whose inputs changed.
"""

from contextlib import nullcontext
from dataclasses import dataclass, field

from auditlog.context import set_extra_data
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from maillage.directory.interop import rows
from maillage.directory.interop.duplicates import apply as apply_decisions
from maillage.directory.interop.duplicates import find as find_duplicates
from maillage.directory.interop.records import SERVICE_DATA_FIELDS, Parsed, Plan, Progress, check
from maillage.directory.interop.report import ImportReport
from maillage.directory.interop.trail import DETAIL_LABELS, Trail, detail_change, jsonable
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
)
from maillage.directory.search import normalise
from maillage.directory.services import service_reach_refresh

DETAIL_MODELS = [
    Phone,
    Contact,
    RegularSchedule,
    ScheduleException,
    ServiceLanguage,
    ServiceAccessibility,
    ServiceCapacity,
]
SERVICE_DEFAULTS = {name: Service._meta.get_field(name).get_default() for name in SERVICE_DATA_FIELDS}
TERMS, COMMUNES = Service.terms.through, Service.communes_served.through


def _columns(model) -> list[str]:
    """What a detail is made of: every column but its key, its service and its timestamp."""
    return [
        f.attname for f in model._meta.concrete_fields if not f.primary_key and f.name not in ("service", "updated_at")
    ]


DETAIL_COLUMNS = {model: _columns(model) for model in DETAIL_MODELS}
DETAIL_DEFAULTS = {model: {f.attname: f.get_default() for f in model._meta.concrete_fields} for model in DETAIL_MODELS}


@dataclass
class _ServiceWrite:
    """What the file says of one service, as rows, and how it differs from the directory."""

    pk: int | None
    source: str
    source_id: str
    values: dict
    organisation_id: int
    search_text: str
    name_text: str
    details: dict = field(default_factory=dict)  # model → [row], "locations"/"terms"/"communes" → [...]
    changed: dict = field(default_factory=dict)  # field or detail → (before, after)
    rewrite: set = field(default_factory=set)  # kinds of detail to delete and insert again
    reach_changed: bool = False
    update_row: bool = False  # the service's own row: fields, organisation, search text or timestamp


def write(
    plan: Plan,
    report: ImportReport,
    *,
    organisation=None,
    actor=None,
    origin: str = "",
    progress: Progress,
) -> None:
    """Write the checked plan in one transaction. Raises IntegrityError (rolled back) on a conflict."""
    trail = Trail(actor=actor, origin=origin)
    context = {"actor": actor, "remote_addr": None, "organisation": organisation}
    with transaction.atomic(), set_extra_data(context) if actor or organisation else nullcontext():
        _write_organisations(plan, report)
        progress("Écriture des lieux", 0.55)
        location_ids, moved = _write_locations(plan, report, organisation, trail)
        progress("Écriture des services", 0.65)
        writes, service_ids, details = _write_services(plan, organisation, location_ids, report, trail)
        progress("Écriture des détails", 0.8)
        _write_details(details)
        report.audit_lines = trail.write()
        # The search's proximity rows: the services whose communes or places changed, and those
        # delivered at a place that moved to another commune.
        service_reach_refresh(
            service_ids=[pk for w, pk in zip(writes, service_ids, strict=True) if w.reach_changed],
            location_ids=moved,
        )
        progress("Terminé", 1.0)


def run(
    parsed: Parsed,
    report: ImportReport,
    *,
    organisation=None,
    actor=None,
    origin: str = "",
    progress: Progress,
    duplicates: str = "create",
    decisions: dict | None = None,
) -> ImportReport:
    """Check, then write only if nothing was rejected. Any conflict at writing rolls everything back.

    `duplicates` (interop.duplicates): « create » writes the file as it is; « review » stops before
    writing when some new services look like services already held (`report.duplicates`); « skip »
    leaves those out with a warning; « decide » applies `decisions` ({identifier: skip, new, link:<id>})."""
    progress("Vérification des lieux et des services", 0.3)
    plan = check(parsed, report, organisation=organisation)
    if report.errors:
        return report
    if duplicates != "create":
        found = find_duplicates(plan, organisation=organisation)
        if duplicates == "review" and found:
            report.duplicates = found
            return report
        apply_decisions(plan, found, (decisions or {}) if duplicates == "decide" else {}, report)
    try:
        write(plan, report, organisation=organisation, actor=actor, origin=origin, progress=progress)
    except IntegrityError as exc:
        report.created = report.updated = report.unchanged = 0
        report.organisations_created = report.locations_created = report.audit_lines = 0
        report.undo = {}
        report.refuse(f"Conflit à l'écriture, rien n'a été enregistré : {exc}")
    return report


def _write_organisations(plan: Plan, report: ImportReport) -> None:
    """A few per file: saved one by one, audited by django-auditlog like any other change."""
    for org in plan.organisations.values():
        if org.pk is None:
            org.save()
            report.organisations_created += 1
    for org in plan.organisations_to_update:
        org.save()
    ImportedOrganisationRef.objects.bulk_create(plan.new_refs, batch_size=rows.BATCH)


def _location_text(values: dict, commune_name: str) -> str:
    return f"{values.get('address', '')}, {commune_name}"


def _write_locations(plan: Plan, report: ImportReport, organisation, trail: Trail):
    """Places: the organisation of the place, else of the first service delivered there. Returns
    ({file key: place id}, [ids of places that moved to another commune])."""
    first_org = {}
    for planned in plan.services:
        for source, loc_id, _ in planned.location_keys:
            first_org.setdefault((source, loc_id), planned.organisation_key)
    ids, moved = {}, []
    new_rows, new_keys, new_owners, changed_rows = [], [], [], {}
    for key, planned in plan.locations.items():
        owner = organisation or plan.organisations.get(
            planned.organisation_key if planned.organisation_key[1] else first_org.get(key)
        )
        if owner is None:
            owner = plan.organisations.get(first_org.get(key))
        if owner is None:
            continue  # a place no service of the file uses, without organisation: nothing to attach
        values = {**planned.values, "commune_id": planned.commune.pk}
        existing = planned.existing
        if existing is None:
            new_rows.append({**values, "organisation_id": owner.pk})
            new_keys.append(key)
            new_owners.append(owner.pk)
            continue
        ids[key] = existing.pk
        plan.place_names[existing.pk] = _location_text(values, planned.commune.name)
        changes = {
            name: (getattr(existing, name), value)
            for name, value in values.items()
            if getattr(existing, name) != value
        }
        if not changes:
            continue
        changed_rows.setdefault(tuple(values), []).append({"id": existing.pk, **values})
        report.undo.setdefault("locations_updated", {})[str(existing.pk)] = {
            name: jsonable(before) for name, (before, _) in changes.items()
        }
        if "commune_id" in changes:
            moved.append(existing.pk)
            before = changes.pop("commune_id")[0]
            changes["commune"] = (
                plan.communes[before].name if before in plan.communes else before,
                planned.commune.name,
            )
        trail.add(
            Location,
            existing.pk,
            _location_text(values, planned.commune.name),
            changes,
            created=False,
            organisation_id=existing.organisation_id,
        )
    for names, group in changed_rows.items():
        rows.update(Location, list(names), group)
    new_ids = rows.insert(Location, new_rows, returning_ids=True)
    report.locations_created = len(new_ids)
    report.undo["locations_created"] = list(new_ids)
    for key, pk, row, owner_id in zip(new_keys, new_ids, new_rows, new_owners, strict=True):
        ids[key] = pk
        commune_name = plan.locations[key].commune.name
        plan.place_names[pk] = _location_text(row, commune_name)
        trail.add(Location, pk, plan.place_names[pk], None, created=True, organisation_id=owner_id)
    rows.insert(
        ImportedLocationRef,
        [
            {"source": key[0], "source_id": key[1], "location_id": pk}
            for key, pk in zip(new_keys, new_ids, strict=True)
        ],
    )
    return ids, moved


class _Normaliser:
    """`search.normalise` of a service's text, part by part (the same words: parts are joined with a
    space, which no word spans), remembering the parts many services share: organisation names,
    terms, communes, and the words of the services' own text.

    A service's own text is normalised token by token (`str.split`): whitespace separates words in
    `normalise` too (no letter or digit comes from it, and no accent is carried over it), so the
    words are the same, and a file's vocabulary is small next to its number of words: each distinct
    token is unaccented, lowered and stemmed once per import instead of once per occurrence (about a
    tenth of the writing time of a first import, bench/directory_import.py)."""

    def __init__(self):
        self.known: dict[str, list[str]] = {}

    def shared(self, text: str) -> list[str]:
        words = self.known.get(text)
        if words is None:
            words = self.known[text] = normalise(text)
        return words

    def names(self, values: dict) -> str:
        """The same words as `search.name_text`."""
        own = " ".join(p for p in (values["name"], values["alternate_name"]) if p)
        return " ".join(word for token in own.split() for word in self.shared(token))

    def document(self, values: dict, organisation_name: str, terms, communes_at) -> str:
        """The same text as `search.document_text`, from what is in memory (no query per service)."""
        own = " ".join(p for p in (values["name"], values["alternate_name"], values["description"]) if p)
        words = [word for token in own.split() for word in self.shared(token)]
        if organisation_name:
            words = words + self.shared(organisation_name)
        for term in sorted(terms, key=lambda t: (t.taxonomy.slug, t.position, t.name)):
            words = words + self.shared(term.name)
        for name in communes_at:
            words = words + self.shared(name)
        return " ".join(words)


def _service_write(planned, owner, location_ids: dict, plan: Plan, normaliser: _Normaliser) -> _ServiceWrite:
    """A service of the file as rows: its own, with its search text, and its details."""
    values = {name: planned.values.get(name, SERVICE_DEFAULTS[name]) for name in SERVICE_DATA_FIELDS}
    communes_at = [
        plan.locations[(s, lid)].commune.name for s, lid, _ in planned.location_keys if (s, lid) in plan.locations
    ]
    write = _ServiceWrite(
        pk=planned.pk,
        source=planned.record.source,
        source_id=planned.record.source_id,
        values=values,
        organisation_id=owner.pk,
        search_text=normaliser.document(values, owner.name, planned.terms, communes_at),
        name_text=normaliser.names(values),
    )
    for model in DETAIL_MODELS:
        columns, defaults = DETAIL_COLUMNS[model], DETAIL_DEFAULTS[model]
        if model is RegularSchedule:
            given = [
                {**values_, "location_id": location_ids.get(loc_key) if loc_key else None}
                for values_, loc_key in planned.schedules
            ]
        else:
            given = planned.children.get(model, [])
        write.details[model] = [{c: row.get(c, defaults[c]) for c in columns} for row in given]
    linked = {}
    for source, loc_id, description in planned.location_keys:
        pk = location_ids.get((source, loc_id))
        if pk is not None and pk not in linked:
            linked[pk] = description or ""
    write.details["locations"] = [{"location_id": pk, "description": d} for pk, d in linked.items()]
    write.details["terms"] = sorted(t.pk for t in planned.terms)
    write.details["communes"] = sorted(c.pk for c in planned.communes)
    return write


def _diff_existing(plan: Plan, writes: list[_ServiceWrite]) -> None:
    """Compare the services the directory already holds with the file: fields, then each kind of detail."""
    if not writes:
        return
    by_pk = {w.pk: w for w in writes}
    current = {kind: {pk: [] for pk in by_pk} for kind in [*DETAIL_MODELS, "locations", "terms", "communes"]}
    queries = [(model, model.objects, DETAIL_COLUMNS[model]) for model in DETAIL_MODELS]
    queries += [
        ("locations", ServiceAtLocation.objects, ["location_id", "description"]),
        ("terms", TERMS.objects, ["taxonomyterm_id"]),
        ("communes", COMMUNES.objects, ["commune_id"]),
    ]
    # One query per kind, by the services' sources (a join the planner runs as a hash join): a list
    # of ids would cost more to send than the rows to read.
    sources = sorted({plan.existing_services[pk]["source"] for pk in by_pk})
    for kind, manager, columns in queries:
        whole = kind == "locations" or kind in DETAIL_COLUMNS
        for row in manager.filter(service__source__in=sources).order_by("pk").values("service_id", *columns):
            held = current[kind].get(row.pop("service_id"))
            if held is not None:
                held.append(row if whole else next(iter(row.values())))
    for kind in ("terms", "communes"):
        for held in current[kind].values():
            held.sort()
    unnamed = {link["location_id"] for held in current["locations"].values() for link in held} - set(plan.place_names)
    for place in Location.objects.filter(pk__in=unnamed).select_related("commune").only("address", "commune__name"):
        plan.place_names[place.pk] = f"{place.address}, {place.commune.name}"
    for pk, write in by_pk.items():
        old = plan.existing_services[pk]
        write.changed = {n: (old[n], write.values[n]) for n in SERVICE_DATA_FIELDS if old[n] != write.values[n]}
        if old["organisation_id"] != write.organisation_id:
            write.changed["organisation"] = (old["organisation_id"], write.organisation_id)
        for kind, after in write.details.items():
            before = current[kind][pk]
            if before != after and _canonical(kind, before) != _canonical(kind, after):
                write.rewrite.add(kind)
                write.changed[kind] = (before, after)
        write.reach_changed = bool(write.rewrite & {"locations", "communes"})
        write.update_row = bool(write.changed) or old["search_text"] != write.search_text
        write.update_row = write.update_row or old["name_text"] != write.name_text


def _canonical(kind, details: list) -> list:
    """Details as compared: phones in their order (the order they are shown in), the others as a set
    (each kind is shown in its own order: weekday, name, date…)."""
    if kind is Phone or not details or not isinstance(details[0], dict):
        return details
    return sorted(details, key=lambda row: tuple((v is None, str(v)) for v in row.values()))


def _write_services(
    plan: Plan, organisation, location_ids: dict, report: ImportReport, trail: Trail
) -> tuple[list[_ServiceWrite], list[int], "_Details"]:
    """Each service of the file as rows, compared with the directory for those it holds; insert the
    new services, update the changed ones, write their audit lines. Returns every service's rows and
    id, in the file's order, and the details to write.

    The new services are built as their rows are copied, and the rest (ids, audit lines, the
    details' rows) is done while the server still indexes them (`rows.inserting`): its search
    indexes (trigram and full text) are most of a first import's writing, and Python's work no
    longer waits for them."""
    normaliser = _Normaliser()
    services = plan.services
    writes: list = [
        None
        if planned.pk is None
        else _service_write(
            planned, organisation or plan.organisations[planned.organisation_key], location_ids, plan, normaliser
        )
        for planned in services
    ]
    _diff_existing(plan, [w for w in writes if w is not None])
    now = timezone.now()
    new_at = [i for i, planned in enumerate(services) if planned.pk is None]

    def new_rows():
        for i in new_at:
            planned = services[i]
            owner = organisation or plan.organisations[planned.organisation_key]
            w = writes[i] = _service_write(planned, owner, location_ids, plan, normaliser)
            yield {
                **w.values,
                "source": w.source,
                "source_id": w.source_id,
                "organisation_id": w.organisation_id,
                "search_text": w.search_text,
                "name_text": w.name_text,
                "created_at": now,
                "updated_at": now,
            }

    trail.prepare(Service)  # its content type read now: no query may run until the COPY ends
    with rows.inserting(Service, new_rows(), count=len(new_at), returning_ids=True) as new_pks:
        new_ids = iter(new_pks)
        ids = []
        for w in writes:
            if w.pk is None:
                w.reach_changed = True
                ids.append(next(new_ids))
                trail.add(Service, ids[-1], w.values["name"], None, created=True, organisation_id=w.organisation_id)
            else:
                ids.append(w.pk)
                if w.changed:
                    trail.add(
                        Service,
                        w.pk,
                        w.values["name"],
                        _labelled(w.changed, plan),
                        created=False,
                        organisation_id=w.organisation_id,
                    )
        changed = [
            {
                "id": w.pk,
                **w.values,
                "organisation_id": w.organisation_id,
                "search_text": w.search_text,
                "name_text": w.name_text,
                "updated_at": now,
            }
            for w in writes
            if w.pk is not None and w.update_row
        ]
        details = _details(writes, ids)
    rows.update(Service, [*SERVICE_DATA_FIELDS, "organisation_id", "search_text", "name_text", "updated_at"], changed)
    # The import changed editable fields: a form opened before it must not overwrite them unseen.
    changed_ids = [row["id"] for row in changed]
    for start in range(0, len(changed_ids), 5000):  # SQLite caps the parameters of one statement
        Service.objects.filter(pk__in=changed_ids[start : start + 5000]).update(version=F("version") + 1)
    report.created = len(new_at)
    _remember_for_undo(report, writes, ids, changed_ids)
    report.updated = sum(1 for w in writes if w.pk is not None and w.changed)
    report.unchanged = sum(1 for w in writes if w.pk is not None and not w.changed)
    return writes, ids, details


def _detail_key(kind) -> str:
    return kind if isinstance(kind, str) else kind._meta.model_name


def _remember_for_undo(report: ImportReport, writes: list[_ServiceWrite], ids: list[int], changed_ids: list[int]):
    """What undoing the import needs (interop.undo): the services created, and for each service changed
    its fields and kinds of detail as they were, with the version the import left (a later change is
    seen, and the import is then no longer undone)."""
    report.undo["services_created"] = [pk for w, pk in zip(writes, ids, strict=True) if w.pk is None]
    versions = {}
    for start in range(0, len(changed_ids), 5000):
        versions.update(Service.objects.filter(pk__in=changed_ids[start : start + 5000]).values_list("pk", "version"))
    updated = {}
    for w in writes:
        if w.pk is None or w.pk not in versions:
            continue
        fields = {name: jsonable(before) for name, (before, _) in w.changed.items() if name in SERVICE_DATA_FIELDS}
        if "organisation" in w.changed:
            fields["organisation_id"] = w.changed["organisation"][0]
        details = {
            _detail_key(kind): [
                {k: jsonable(v) for k, v in row.items()} if isinstance(row, dict) else row for row in (before or [])
            ]
            for kind, (before, _) in w.changed.items()
            if kind in w.rewrite
        }
        updated[str(w.pk)] = {"version": versions[w.pk], "fields": fields, "details": details}
    report.undo["services_updated"] = updated


def _labelled(changes: dict, plan: Plan) -> dict:
    """The changes of a service as its audit line holds them: fields by name, details as lists."""
    labelled = {}
    for kind, (before, after) in changes.items():
        if kind in DETAIL_LABELS and kind not in ("locations", "terms", "communes"):
            labelled[DETAIL_LABELS[kind]] = detail_change(kind, before or [], after)
        elif kind == "locations":
            labelled[DETAIL_LABELS["locations"]] = [_places(plan, before or []), _places(plan, after)]
        elif kind == "terms":
            labelled["terms"] = [_names(plan.term_names, before or []), _names(plan.term_names, after)]
        elif kind == "communes":
            names = {pk: c.name for pk, c in plan.communes.items()}
            labelled["communes_served"] = [_names(names, before or []), _names(names, after)]
        else:
            labelled[kind] = (before, after)
    return labelled


def _names(names: dict, pks: list) -> str:
    return "; ".join(str(names.get(pk, pk)) for pk in pks)


def _places(plan: Plan, links: list[dict]) -> str:
    return "; ".join(plan.place_names.get(link["location_id"], str(link["location_id"])) for link in links)


@dataclass
class _Details:
    """The details to write: the kinds to clear per service, and the rows to insert."""

    cleared: dict
    inserted: dict
    links: list
    term_pairs: list
    commune_pairs: list


def _details(writes: list[_ServiceWrite], ids: list[int]) -> _Details:
    """The details of new services, and of changed ones the kinds that differ (deleted, then inserted)."""
    cleared: dict = {}
    inserted: dict = {model: [] for model in DETAIL_MODELS}
    links, term_pairs, commune_pairs = [], [], []
    for w, pk in zip(writes, ids, strict=True):
        kinds = set(w.details) if w.pk is None else w.rewrite
        for kind in kinds:
            if w.pk is not None:
                cleared.setdefault(kind, []).append(pk)
            if kind == "locations":
                links += [{**link, "service_id": pk} for link in w.details[kind]]
            elif kind == "terms":
                term_pairs += [(pk, term) for term in w.details[kind]]
            elif kind == "communes":
                commune_pairs += [(pk, commune) for commune in w.details[kind]]
            else:
                inserted[kind] += [{**row, "service_id": pk} for row in w.details[kind]]
    return _Details(cleared, inserted, links, term_pairs, commune_pairs)


def _write_details(details: _Details) -> None:
    tables = {"locations": ServiceAtLocation, "terms": TERMS, "communes": COMMUNES}
    for kind, service_ids in details.cleared.items():
        rows.delete_by(tables.get(kind, kind), "service_id", service_ids)
    for model, new_rows in details.inserted.items():
        rows.insert(model, new_rows)
    rows.insert(ServiceAtLocation, details.links)
    rows.insert_pairs(TERMS, ("service_id", "taxonomyterm_id"), details.term_pairs)
    rows.insert_pairs(COMMUNES, ("service_id", "commune_id"), details.commune_pairs)
