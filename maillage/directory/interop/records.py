"""The neutral form both formats are read into, and its validation.

A reader (hsds.py, datainclusion.py) turns a file into `Parsed`: organisations, locations and
services, each remembering where it stands in the file (`Where`) and the file's name for each of
its fields. `check` then runs the models' own validation on every row (`validation.ModelRules`: the
verdict and French messages of `full_clean`, without an instance per row) and the cross-checks
(commune INSEE codes against `core.Commune`, or the commune found from the postal code and the city
when the file has no INSEE code; coordinates within their bounds; taxonomy terms against the
vocabularies, `interop.terms`; identifiers taken by another organisation), and collects every error
(and, apart, the warnings: terms left aside). Only when there is none does
`writer.write` run, in one transaction, with bulk inserts.

Identity: a service is `(source, source_id)` (`Service.source`, `Service.source_id`); organisations
and locations have their own reference tables (`ImportedOrganisationRef`, `ImportedLocationRef`),
so that importing the same source again updates in place instead of duplicating.
"""

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone

from maillage.core.enums import OrganisationKind
from maillage.core.models import EPCI, Commune, Organisation
from maillage.core.territories import AddressNotResolved, CommuneIndex, commune_name_key, postal_code_key
from maillage.directory.enums import AccessibilityFeature
from maillage.directory.interop.report import ImportReport
from maillage.directory.interop.terms import TermMatcher
from maillage.directory.interop.validation import ModelRules
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
    ServiceCapacity,
    ServiceLanguage,
    Taxonomy,
    TaxonomyTerm,
)

Progress = Callable[[str, float], None]

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
    "area_description",
]

ACCESSIBILITY_BY_LABEL = {label.casefold(): value for value, label in AccessibilityFeature.choices}
# HSDS 3 `accessibility.description` is free text (« Accès PMR par la rampe, boucle magnétique à
# l'accueil »): the features it names, by words in French or English.
_ACCESSIBILITY_WORDS = [
    (
        AccessibilityFeature.STEP_FREE,
        r"plain[ -]pied|ascenseur|fauteuil|pmr|rampe|mobilite reduite|wheelchair|step[ -]free|elevator|lift",
    ),
    (AccessibilityFeature.HEARING_LOOP, r"boucle (magnetique|auditive|a induction)|induction loop|hearing (loop|aid)"),
    (AccessibilityFeature.SIGN_LANGUAGE, r"lsf|langue des signes|sign language|bsl|asl"),
    (AccessibilityFeature.EASY_READ, r"falc|facile a lire|easy read"),
    (AccessibilityFeature.HOME_VISITS, r"a domicile|home visits?"),
]


def accessibility_features(text: str) -> list[str]:
    """The accessibility features a free text names (none when it names none Maillage knows)."""
    folded = unicodedata.normalize("NFKD", (text or "").lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = " ".join(re.split(r"[^a-z0-9]+", folded))
    known = ACCESSIBILITY_BY_LABEL.get((text or "").strip().casefold()) or (
        text.strip() if text and text.strip() in AccessibilityFeature.values else None
    )
    if known:
        return [known]
    found = []
    for feature, words in _ACCESSIBILITY_WORDS:
        for match in re.finditer(rf"\b({words})\b", folded):
            before = folded[: match.start()].split()[-3:]
            if not _NEGATIONS.intersection(before):  # « sans ascenseur », « non accessible en fauteuil »
                found.append(feature)
                break
    return found


_NEGATIONS = {"sans", "pas", "non", "aucun", "aucune", "no", "not", "without"}


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
    commune_code: str  # INSEE code when the file has one (Maillage's extension, data·inclusion)
    names: dict = field(default_factory=dict)
    city: str = ""  # otherwise the commune is found from the postal code and the city
    areas: tuple[str, ...] = ()  # and the département an address names (HSDS state_province, region)
    address_where: Where | None = None  # the address's own row, when it has one (HSDS addresses.csv)
    # A third party's arrondissement code (75115: data·inclusion geocodes with the BAN) is read as its
    # commune (75056), as addresses are: the commune has the EPCI the search ranks by.
    arrondissement_as_commune: bool = False


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
    # values: taxonomy (slug, or a producer's name or URI for it), code; from HSDS files also name,
    # term_uri, term_id, taxonomy_id, taxonomy_name, taxonomy_uri (interop.terms.TermMatcher)
    terms: list[Item] = field(default_factory=list)
    communes_served: list[Item] = field(default_factory=list)  # values: code


@dataclass
class Parsed:
    organisations: dict[tuple[str, str], OrganisationRecord] = field(default_factory=dict)
    locations: dict[tuple[str, str], LocationRecord] = field(default_factory=dict)
    services: list[ServiceRecord] = field(default_factory=list)


@dataclass
class _Planned:
    """A service of the file, checked: its cleaned values and details, ready for the writer."""

    record: ServiceRecord
    values: dict  # SERVICE_DATA_FIELDS, cleaned
    pk: int | None  # the service already imported from this source and identifier, if any
    organisation_key: tuple[str, str]
    children: dict[type, list[dict]] = field(default_factory=dict)  # cleaned values per model
    location_keys: list[tuple[str, str, str]] = field(default_factory=list)  # (source, id, description)
    schedules: list[tuple[dict, tuple[str, str] | None]] = field(default_factory=list)  # (values, place)
    terms: list[TaxonomyTerm] = field(default_factory=list)
    communes: list[Commune] = field(default_factory=list)


@dataclass
class _PlannedLocation:
    values: dict  # cleaned, without organisation and commune
    commune: Commune
    organisation_key: tuple[str, str]
    existing: Location | None = None


@dataclass
class Plan:
    organisations: dict[tuple[str, str], Organisation] = field(default_factory=dict)
    new_refs: list[ImportedOrganisationRef] = field(default_factory=list)
    organisations_to_update: list[Organisation] = field(default_factory=list)
    locations: dict[tuple[str, str], _PlannedLocation] = field(default_factory=dict)
    services: list[_Planned] = field(default_factory=list)
    # What the directory holds for the file's services already: {pk: {field: value}}, for the diff.
    existing_services: dict[int, dict] = field(default_factory=dict)
    # Names for the audit lines: communes and terms by id, places by id (filled by the writer).
    communes: dict[int, Commune] = field(default_factory=dict)
    term_names: dict[int, str] = field(default_factory=dict)
    place_names: dict[int, str] = field(default_factory=dict)


def _messages(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {name: [m for e in errors for m in e.messages] for name, errors in exc.error_dict.items()}
    return {"": list(exc.messages)}


def _report(errors: dict[str, list[str]], item_names: dict, where: Where, report: ImportReport) -> None:
    """Each error under the file's name for the field ("" for a rule about the whole row)."""
    for name, messages in errors.items():
        file_name = item_names.get(name, name) if name != NON_FIELD_ERRORS else ""
        for message in messages:
            report.add(where.file, where.position, file_name, message)


def _clean(instance, item_names: dict, where: Where, report: ImportReport, exclude: list[str]) -> bool:
    """Run the model's full validation on an instance (organisations: a few per file)."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        _report(_messages(exc), item_names, where, report)
        return False
    return True


def _checked(rules: ModelRules, values: dict, item_names: dict, where: Where, report: ImportReport) -> dict | None:
    """The row's cleaned values, or None after reporting its errors (same messages as full_clean)."""
    cleaned, errors = rules.errors(values)
    if errors:
        _report(
            {name: [_with_number(m, values.get(name)) for m in ms] for name, ms in errors.items()},
            item_names,
            where,
            report,
        )
        return None
    return cleaned


def _with_number(message: str, value) -> str:
    """Django's « Assurez-vous que cette valeur est inférieure ou égale à 130. » with the number the
    file wrote (« 512 »): the line to correct is found at once. Numbers only (no personal data)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        return message
    text = str(value).strip()
    if not re.fullmatch(r"-?\d+([.,]\d+)?", text) or not message.startswith("Assurez-vous que cette valeur"):
        return message
    return message.replace("cette valeur", f"la valeur « {text} »", 1)


def _blank_to_none(values: dict, nullable: set[str]) -> dict:
    return {k: (None if k in nullable and v in ("", None) else v) for k, v in values.items()}


_SERVICE_NULLABLE = {"age_min", "age_max", "last_verified_at"}
_LOCATION_NULLABLE = {"latitude", "longitude"}

# Built once: each model's validation minus the relations the writer sets.
SERVICE_RULES = ModelRules(Service, exclude=["organisation", "last_verified_by", "search_text", "name_text"])
LOCATION_RULES = ModelRules(Location, exclude=["organisation", "commune"])
SCHEDULE_RULES = ModelRules(RegularSchedule, exclude=["service", "location"])
_CHILD_MODELS = [
    ("phones", Phone),
    ("contacts", Contact),
    ("exceptions", ScheduleException),
    ("languages", ServiceLanguage),
    ("accessibility", ServiceAccessibility),
    ("capacities", ServiceCapacity),
]
CHILD_RULES = {model: ModelRules(model, exclude=["service"]) for _, model in _CHILD_MODELS}
_ALL_RULES = [SERVICE_RULES, LOCATION_RULES, SCHEDULE_RULES, *CHILD_RULES.values()]


def check(parsed: Parsed, report: ImportReport, *, organisation: Organisation | None = None) -> Plan:
    """Validate everything; return what `write` needs. Errors go to `report` (nothing is written here).

    With `organisation` (an import from the staff page), every service and place goes to that
    organisation whatever the file says, and an identifier already used by another organisation
    for the same source is refused.
    """
    for rules in _ALL_RULES:
        rules.reset()
    plan = Plan()
    communes = {c.code: c for c in Commune.objects.only("pk", "code", "name", "parent_id")}
    plan.communes = {c.pk: c for c in communes.values()}
    all_terms = list(
        TaxonomyTerm.objects.select_related("taxonomy").only("pk", "code", "name", "position", "taxonomy__slug")
    )
    for term in all_terms:
        plan.term_names[term.pk] = term.name
    matcher = TermMatcher(all_terms, Taxonomy.objects.only("slug", "name"))

    _check_organisations(parsed, plan, report, organisation)
    _check_locations(parsed, plan, report, communes, organisation)

    sources = {r.source for r in parsed.services}
    existing = {}
    for row in Service.objects.filter(source__in=sources).values(
        "pk", "source", "source_id", "organisation_id", "search_text", "name_text", *SERVICE_DATA_FIELDS
    ):
        existing[(row["source"], row["source_id"])] = row
    seen: dict[tuple[str, str], Where] = {}
    areas = None  # built at the first area described in words
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
        current = existing.get(key)
        if current is not None and organisation is not None and current["organisation_id"] != organisation.pk:
            report.add(
                where.file,
                where.position,
                record.names.get("source_id", "id"),
                f"L'identifiant « {record.source_id} » de la source « {record.source} » est celui d'un service "
                "d'une autre structure : choisissez une autre source.",
            )
        values = _blank_to_none(record.values, _SERVICE_NULLABLE)
        values["source"], values["source_id"] = record.source, record.source_id
        cleaned = _checked(SERVICE_RULES, values, record.names, where, report)
        planned = _Planned(
            record=record,
            values={name: cleaned[name] for name in SERVICE_DATA_FIELDS if name in cleaned} if cleaned else {},
            pk=current["pk"] if current is not None else None,
            organisation_key=org_key,
        )
        if current is not None:
            plan.existing_services[current["pk"]] = current
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
            schedule = _checked(SCHEDULE_RULES, item.values, item.names, item.where, report)
            if schedule is not None:
                if item.key and item.key not in service_locations:
                    report.add(
                        item.where.file,
                        item.where.position,
                        item.name("location"),
                        f"Le lieu « {item.key} » n'est pas un lieu de ce service.",
                    )
                planned.schedules.append((schedule, (record.source, item.key) if item.key else None))
        for item in record.terms:
            term = matcher.find(item, report)
            if term is not None and term not in planned.terms:
                planned.terms.append(term)
        area_texts = []
        for item in record.communes_served:
            code = str(item.values.get("code") or "").strip()
            if not code and (text := str(item.values.get("text") or "").strip()):
                areas = areas or _Areas(communes)
                found = areas.communes(text, item, report)
                if found is None:
                    area_texts.append(text)
                for commune in found or ():
                    if commune not in planned.communes:
                        planned.communes.append(commune)
                continue
            commune = communes.get(code)
            if commune is None:
                report.add(item.where.file, item.where.position, item.name("code"), _unknown_commune(code))
            elif commune not in planned.communes:
                planned.communes.append(commune)
        if area_texts and planned.values:
            planned.values["area_description"] = "; ".join(area_texts)[:2000]
        plan.services.append(planned)
    return plan


class _Areas:
    """The communes an area described in words covers (HSDS service_area without INSEE code): a postal
    code's communes, a commune by its name, an EPCI's or a département's communes."""

    def __init__(self, communes: dict):
        self.communes_by_code = communes
        self.index = CommuneIndex.from_database()
        self.epcis = {commune_name_key(name): pk for pk, name in EPCI.objects.values_list("pk", "name")}

    def communes(self, text: str, item: Item, report: ImportReport) -> list[Commune] | None:
        """The communes of `text`, with a warning saying how they were found; None (and a warning) when
        nothing is recognised: the text is then kept as the service's « zone desservie (précisions) »."""
        where, field_name = item.where, item.name("text")
        postal_codes = re.findall(r"\b\d{5}\b", text)
        if postal_codes:
            places = [p for code in postal_codes for p in self.index.by_postal_code.get(code, [])]
            if places:
                found = [self.communes_by_code[p.code] for p in places if p.code in self.communes_by_code]
                report.warn(
                    where.file,
                    where.position,
                    field_name,
                    f"Zone desservie « {text[:80]} » : lue comme les communes du code postal ({_names(found)}).",
                )
                return found
        key = commune_name_key(text)
        named = self.index.by_name.get(key, [])
        if len(named) == 1 and named[0].code in self.communes_by_code:
            commune = self.communes_by_code[named[0].code]
            report.warn(
                where.file,
                where.position,
                field_name,
                f"Zone desservie « {text[:80]} » : commune trouvée par son seul nom ({commune.name}), à vérifier.",
            )
            return [commune]
        epci = self.epcis.get(key) or self.epcis.get(commune_name_key(re.sub(r"^(ca|cc|cu|metropole)\s+", "", key)))
        if epci is not None and not named:
            found = [c for c in self.communes_by_code.values() if c.epci_id == epci and not c.parent_id]
            report.warn(
                where.file,
                where.position,
                field_name,
                f"Zone desservie « {text[:80]} » : lue comme l'intercommunalité ({len(found)} communes).",
            )
            return found
        departements = self.index.departements_named(text)
        if departements and not named:
            codes = {p.code for places in self.index.by_name.values() for p in places if p.departement in departements}
            found = [self.communes_by_code[code] for code in sorted(codes) if code in self.communes_by_code]
            report.warn(
                where.file,
                where.position,
                field_name,
                f"Zone desservie « {text[:80]} » : lue comme le département ({len(found)} communes).",
            )
            return found
        why = f"plusieurs communes portent ce nom ({_names(named)})" if named else "aucune commune reconnue"
        report.warn(
            where.file,
            where.position,
            field_name,
            f"Zone desservie « {text[:80]} » : {why} ; gardée comme texte dans les précisions sur la zone desservie.",
        )
        return None


def _names(places) -> str:
    names = [getattr(p, "name", str(p)) for p in places[:5]]
    return ", ".join(names) + (f" et {len(places) - 5} autres" if len(places) > 5 else "")


def _unknown_commune(code: str) -> str:
    if not code:
        return "Commune manquante : ni code INSEE, ni code postal, ni ville."
    return f"La commune de code INSEE « {code} » n'existe pas (ou n'est pas chargée dans Maillage)."


_CHILD_NULLABLE = {"opens_at", "closes_at", "maximum", "available"}
_UNIQUE_PER_SERVICE = {ServiceLanguage: "code", ServiceAccessibility: "feature"}


def _check_children(record: ServiceRecord, report: ImportReport) -> dict[type, list[dict]]:
    children: dict[type, list[dict]] = {}
    for attribute, model in _CHILD_MODELS:
        rows, seen = [], set()
        rules, unique = CHILD_RULES[model], _UNIQUE_PER_SERVICE.get(model)
        for item in getattr(record, attribute):
            values = _blank_to_none(item.values, _CHILD_NULLABLE)
            each = [values]
            if model is ServiceAccessibility:
                text = str(values.get("feature") or "").strip()
                features = accessibility_features(text)
                if not features:
                    report.warn(
                        item.where.file,
                        item.where.position,
                        item.name("feature"),
                        f"Accessibilité « {text[:80]} » : aucun aménagement connu de Maillage n'y est nommé, ignorée.",
                    )
                each = [{**values, "feature": feature} for feature in features]
            for row in each:
                cleaned = _checked(rules, row, item.names, item.where, report)
                if cleaned is not None:
                    if unique and cleaned[unique] in seen:
                        continue  # the same language or feature twice: once is enough
                    if unique:
                        seen.add(cleaned[unique])
                    rows.append(cleaned)
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
            if ref.owned and any(getattr(organisation, name) != value for name, value in values.items()):
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
    index = None  # built at the first place without an INSEE code
    for key, record in parsed.locations.items():
        where = record.where
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
        values = _blank_to_none(record.values, _LOCATION_NULLABLE)
        code = (record.commune_code or "").strip()
        postal_code = str(values.get("postal_code") or "").strip()
        if not code and (postal_code or record.city.strip()):
            index = index or CommuneIndex.from_database()
            try:
                code = index.resolve(postal_code, record.city, *record.areas)
            except AddressNotResolved as exc:
                at = record.address_where or where
                report.add(at.file, at.position, record.names.get(exc.field, exc.field), exc.message)
                code = None
            else:
                _warn_how_resolved(record, postal_code, code, communes, report)
        for kind in COORDINATE_BOUNDS:
            if values.get(kind) is not None and (message := coordinate_error(kind, values[kind])):
                report.add(where.file, where.position, record.names.get(kind, kind), message)
                values[kind] = None  # reported once, in these words, not again by the model
        if postal_code:
            values["postal_code"] = postal_code_key(postal_code)  # « 35 000 », « 1400 »: as the post writes it
        commune = communes.get(code) if code else None
        if commune is not None and commune.parent_id and record.arrondissement_as_commune:
            commune = plan.communes.get(commune.parent_id, commune)
        if commune is None and code is not None:
            report.add(
                where.file,
                where.position,
                record.names.get("commune", "commune"),
                _unknown_commune(record.commune_code),
            )
        cleaned = _checked(LOCATION_RULES, values, record.names, where, report)
        if cleaned is not None and commune:
            plan.locations[key] = _PlannedLocation(
                values=cleaned,
                commune=commune,
                organisation_key=(record.source, record.organisation_key),
                existing=location,
            )


def _named_by(name_key: str, key: str) -> bool:
    return name_key == key or name_key.startswith(key + " ")


def _warn_how_resolved(record: LocationRecord, postal_code: str, code: str, communes: dict, report) -> None:
    """A commune found from less than a postal code and its city's name is said, to be checked: by the
    city's name alone (no postal code), or by the postal code alone (the city names no commune)."""
    at = record.address_where or record.where
    commune = communes.get(code)
    if commune is None:
        return
    city = " ".join(record.city.split())
    if not postal_code:
        report.warn(
            at.file,
            at.position,
            record.names.get("city", "city"),
            f"« {city} » : commune trouvée par le seul nom de la ville sans code postal ({commune.name}) ; "
            "à vérifier.",
        )
    elif (key := commune_name_key(city)) and not _named_by(commune_name_key(commune.name), key):
        report.warn(
            at.file,
            at.position,
            record.names.get("city", "city"),
            f"« {city} » n'est le nom d'aucune commune du code postal {postal_code} : commune déduite du code postal "
            f"seul ({commune.name}), à vérifier.",
        )


COORDINATE_BOUNDS = {"latitude": 90, "longitude": 180}  # WGS 84 decimal degrees


def coordinate_error(kind: str, value) -> str | None:
    """The French message for a latitude or longitude that is not a number within its bounds
    (512, « abc », NaN, Infinity: JSON parsers let the last two through), or None when it is fine."""
    bound = COORDINATE_BOUNDS[kind]
    label = "La latitude" if kind == "latitude" else "La longitude"
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        return f"{label} « {value} » n'est pas un nombre (degrés décimaux attendus, par exemple 48.1173)."
    if not math.isfinite(number) or not -bound <= number <= bound:
        return f"{label} « {value} » est hors des bornes [-{bound}, {bound}] (degrés décimaux WGS 84)."
    return None


def aware_midnight(day) -> datetime:
    """A date from a file (HSDS assured_date, data·inclusion date_maj) as the start of that day, in Paris."""
    return timezone.make_aware(datetime.combine(day, time.min))
