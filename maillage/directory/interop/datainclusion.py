"""data·inclusion schema v1: `structures.json` and `services.json`, reading and writing.

Each row is validated by the schema's own pydantic models (package `data-inclusion-schema`, pinned),
not by rules of ours; their English messages are put into French here. Then the row goes through
the same checks as every import (communes against `core.Commune`, thématiques, types and publics
against the directory's taxonomies).

Mapping: structure → organisation (SIRET first, else `source` + `id`); service → Service
(`source`, `id`); `adresse`/`code_insee`… → one place; `telephone` → a phone; `contact_nom_prenom` →
a contact; `thematiques`, `type`, `publics` → terms of the `di-*` taxonomies; `zone_eligibilite`
(commune codes) → communes served; `horaires_accueil` (OpenStreetMap opening hours, simple rules
such as `Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00`) → regular opening hours; `frais` →
fee kind; `modes_mobilisation` `se-presenter`/`telephoner` → walk-in/by phone; `mobilisable_par`
professionals only → on referral only.
"""

import json
import re
from datetime import date

import pydantic
from data_inclusion.schema import v1 as di
from django.utils import timezone

from maillage.directory.enums import FeeKind, ServiceStatus
from maillage.directory.interop import files as io_files
from maillage.directory.interop.records import (
    COORDINATE_BOUNDS,
    Item,
    LocationRecord,
    OrganisationRecord,
    Parsed,
    ServiceRecord,
    Where,
    aware_midnight,
    coordinate_error,
)
from maillage.directory.interop.report import FileRefused, ImportReport
from maillage.directory.models import Taxonomy

OSM_DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
_RULE = re.compile(r"^(?P<days>[A-Za-z]{2}(?:-[A-Za-z]{2})?(?:,[A-Za-z]{2}(?:-[A-Za-z]{2})?)*)\s+(?P<spans>.+)$")
_SPAN = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")

SERVICE_NAMES = {
    "source_id": "id",
    "organisation": "structure_id",
    "name": "nom",
    "description": "description",
    "url": "lien_source",
    "email": "courriel",
    "fee_description": "frais_precisions",
    "eligibility_description": "conditions_acces",
    "application_process": "mobilisation_precisions",
    "last_verified_at": "date_maj",
}

_MESSAGES = {
    "missing": "Champ obligatoire.",
    "string_too_short": "Texte trop court (au moins {min_length} caractères).",
    "string_too_long": "Texte trop long (au plus {max_length} caractères).",
    "string_pattern_mismatch": "Format invalide.",
    "string_type": "Texte attendu.",
    "date_parsing": "Date invalide (format AAAA-MM-JJ attendu).",
    "date_from_datetime_parsing": "Date invalide (format AAAA-MM-JJ attendu).",
    "date_type": "Date invalide (format AAAA-MM-JJ attendu).",
    "url_parsing": "Adresse web invalide.",
    "url_scheme": "Adresse web invalide (http ou https attendu).",
    "url_type": "Adresse web invalide.",
    "float_parsing": "Nombre attendu.",
    "float_type": "Nombre attendu.",
    "int_parsing": "Nombre entier attendu.",
    "int_type": "Nombre entier attendu.",
    "too_short": "Liste vide : au moins une valeur attendue.",
    "list_type": "Liste attendue.",
    "set_type": "Liste attendue.",
    "greater_than_equal": "Doit être supérieur ou égal à {ge}.",
    "greater_than": "Doit être supérieur à {gt}.",
    "less_than_equal": "Doit être inférieur ou égal à {le}.",
    "less_than": "Doit être inférieur à {lt}.",
    "int_from_float": "Nombre entier attendu.",
    "finite_number": "Nombre fini attendu.",
    "bool_parsing": "Vrai ou faux attendu (true, false).",
    "bool_type": "Vrai ou faux attendu (true, false).",
    "literal_error": "Valeur non reconnue.",
}


# Number and format errors name the value found, as the coordinates do (« 512 », « -3 », « abc »).
_SAYS_THE_VALUE = {
    "greater_than_equal",
    "greater_than",
    "less_than_equal",
    "less_than",
    "float_parsing",
    "int_parsing",
    "int_from_float",
    "finite_number",
    "string_pattern_mismatch",
    "bool_parsing",
    "date_parsing",
    "date_from_datetime_parsing",
}


def french(error: dict) -> str:
    """One pydantic error of the data·inclusion models, in French."""
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "enum":
        return f"Valeur « {error.get('input')} » inconnue du vocabulaire data·inclusion."
    if kind == "value_error":
        message = str(ctx.get("error", error["msg"]))
        if "email" in error["msg"]:
            return "Adresse électronique invalide."
        return message.removeprefix("Value error, ")
    if kind == "avertissement":
        return error["msg"]
    template = _MESSAGES.get(kind)
    if template is None:
        return f"Valeur invalide ({error['msg']})."
    ctx = {k: int(v) if isinstance(v, float) and v.is_integer() else v for k, v in ctx.items()}  # 0, not 0.0
    try:
        message = template.format(**ctx)
    except (KeyError, IndexError):
        message = template
    if kind in _SAYS_THE_VALUE and "input" in error:
        return f"« {error['input']} » : {message[0].lower()}{message[1:]}"
    return message


def _validate(model, row, where: Where, report: ImportReport):
    """The row as the schema's model, or None after reporting every error of the row: the schema's
    own, and coordinates out of their bounds (the schema takes any float for them: 512, NaN)."""
    if not isinstance(row, dict):
        report.add(where.file, where.position, "", "Cet élément n'est pas un objet JSON.")
        return None
    try:
        validated = model.model_validate(row)
    except pydantic.ValidationError as exc:
        for error in exc.errors():
            loc = ".".join(str(part) for part in error["loc"])
            report.add(where.file, where.position, loc, french(error))
        validated = None
    bad = False
    for kind in COORDINATE_BOUNDS:
        value = row.get(kind)
        if value is None or isinstance(value, bool) or _not_a_number(value):
            continue  # absent, or already reported by the schema (« abc »: a number is expected)
        if message := coordinate_error(kind, value):
            report.add(where.file, where.position, kind, message)
            bad = True
    return None if bad else validated


def _not_a_number(value) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return True
    return False


def parse_opening_hours(text: str) -> list[tuple[int, str, str]] | None:
    """Simple OpenStreetMap opening hours → [(weekday, "09:00", "12:00")]; None when not understood.
    Rules such as `PH off` (bank holidays) are left aside."""
    result = []
    for rule in (r.strip() for r in (text or "").split(";")):
        if not rule or rule.lower().startswith("ph "):
            continue
        match = _RULE.match(rule)
        if match is None:
            return None
        days = []
        for part in match["days"].split(","):
            ends = [d.capitalize() for d in part.split("-")]
            if any(d not in OSM_DAYS for d in ends):
                return None
            first, last = OSM_DAYS.index(ends[0]), OSM_DAYS.index(ends[-1])
            days += list(range(first, last + 1))
        for span in match["spans"].split(","):
            found = _SPAN.match(span.strip())
            if found is None:
                return None
            h1, m1, h2, m2 = found.groups()
            result += [(day, f"{int(h1):02d}:{m1}", f"{int(h2):02d}:{m2}") for day in days]
    return result


def opening_hours(schedules) -> str:
    """Regular opening hours → OpenStreetMap opening hours (one rule per day)."""
    by_day: dict[int, list[str]] = {}
    for s in sorted(schedules, key=lambda s: (s.weekday, s.opens_at)):
        by_day.setdefault(s.weekday, []).append(f"{s.opens_at:%H:%M}-{s.closes_at:%H:%M}")
    return "; ".join(f"{OSM_DAYS[day]} {','.join(spans)}" for day, spans in by_day.items())


def _rows(data):
    """A list of rows, or a page of the national API saved as is (`{"items": […], "total": …}`)."""
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        return data["items"]
    return data


def read(path_or_files, *, report: ImportReport) -> Parsed:
    files = {name.lower(): content for name, content in io_files.collect_files(path_or_files).items()}
    if "services.json" not in files:
        raise FileRefused("Le fichier « services.json » manque (data·inclusion : structures.json et services.json).")
    parsed = Parsed()
    if "structures.json" in files:
        structures = _rows(io_files.load_json("structures.json", files["structures.json"]))
        if not isinstance(structures, list):
            raise FileRefused("Le fichier « structures.json » doit contenir une liste de structures.")
        for index, row in enumerate(structures):
            where = Where("structures.json", f"élément {index}")
            structure = _validate(di.Structure, row, where, report)
            if structure is None:
                continue
            parsed.organisations[(structure.source, structure.id)] = OrganisationRecord(
                where=where,
                source=structure.source,
                source_id=structure.id,
                values={
                    "name": structure.nom,
                    "siret": structure.siret or "",
                    "email": structure.courriel or "",
                    "website": str(structure.site_web) if structure.site_web else "",
                    "phone": structure.telephone or "",
                },
                names={"name": "nom", "email": "courriel", "website": "site_web", "phone": "telephone"},
            )
    services = _rows(io_files.load_json("services.json", files["services.json"]))
    if not isinstance(services, list):
        raise FileRefused("Le fichier « services.json » doit contenir une liste de services.")
    for index, row in enumerate(services):
        where = Where("services.json", f"élément {index}")
        service = _validate(di.Service, row, where, report)
        if service is not None:
            _service(parsed, service, where, report)
    return parsed


def _service(parsed: Parsed, s: di.Service, where: Where, report: ImportReport) -> None:
    modes = {m.value for m in s.modes_mobilisation or ()}
    by = {p.value for p in s.mobilisable_par or ()}
    record = ServiceRecord(
        where=where,
        source=s.source,
        source_id=s.id,
        organisation_key=s.structure_id,
        values={
            "name": s.nom,
            "description": s.description,
            "url": str(s.lien_source) if s.lien_source else "",
            "email": s.courriel or "",
            "status": ServiceStatus.PUBLISHED,
            "fee_kind": FeeKind.PAID if s.frais == di.Frais.PAYANT else FeeKind.FREE,
            "fee_description": s.frais_precisions or "",
            "eligibility_description": s.conditions_acces or "",
            "application_process": s.mobilisation_precisions or "",
            "walk_in": "se-presenter" in modes,
            "by_phone": "telephoner" in modes,
            "on_referral_only": by == {"professionnels"},
            "last_verified_at": aware_midnight(s.date_maj),
        },
        names=SERVICE_NAMES,
    )
    if s.adresse or s.code_insee or s.code_postal or s.commune:
        loc_id = f"{s.id}#lieu"
        parsed.locations[(s.source, loc_id)] = LocationRecord(
            where=where,
            source=s.source,
            source_id=loc_id,
            organisation_key=s.structure_id,
            values={
                "address": s.adresse or "",
                "address_complement": s.complement_adresse or "",
                "postal_code": s.code_postal or "",
                "latitude": repr(round(s.latitude, 6)) if s.latitude is not None else None,
                "longitude": repr(round(s.longitude, 6)) if s.longitude is not None else None,
            },
            commune_code=s.code_insee or "",  # often null in the national API: then code_postal + commune
            city=s.commune or "",
            arrondissement_as_commune=True,
            names={
                "address": "adresse",
                "address_complement": "complement_adresse",
                "postal_code": "code_postal",
                "commune": "code_insee",
                "city": "commune",
            },
        )
        record.locations.append(Item(where, {"description": ""}, {"location": "adresse"}, key=loc_id))
    if s.telephone:
        record.phones.append(Item(where, {"number": s.telephone, "description": ""}, {"number": "telephone"}))
    if s.contact_nom_prenom:
        record.contacts.append(Item(where, {"name": s.contact_nom_prenom}, {"name": "contact_nom_prenom"}))
    for taxonomy, codes, name in (
        (Taxonomy.DI_THEMATIQUES, s.thematiques or (), "thematiques"),
        (Taxonomy.DI_TYPES, [s.type] if s.type else (), "type"),
        (Taxonomy.DI_PUBLICS, s.publics or (), "publics"),
    ):
        for code in sorted(c.value for c in codes):
            record.terms.append(Item(where, {"taxonomy": taxonomy, "code": code}, {"code": name}))
    for code in s.zone_eligibilite or ():
        if len(code) == 5 and not code.startswith("99"):  # a commune; départements, EPCI, pays left aside
            record.communes_served.append(Item(where, {"code": code}, {"code": "zone_eligibilite"}))
    if s.horaires_accueil:
        spans = parse_opening_hours(s.horaires_accueil)
        if spans is None:
            report.add(
                where.file,
                where.position,
                "horaires_accueil",
                f"Horaires « {s.horaires_accueil} » non compris (forme attendue : Mo-Fr 09:00-12:00,14:00-17:00).",
            )
        for day, opens, closes in spans or ():
            record.schedules.append(Item(where, {"weekday": day, "opens_at": opens, "closes_at": closes}, {}))
    parsed.services.append(record)


# --- Writing --------------------------------------------------------------------------------------


def _structure_id(org, source: str, refs: dict) -> str:
    return refs.get((org.pk, source)) or f"maillage--structure-{org.pk}"


def export(services, *, include_named_contacts: bool = False) -> dict[str, bytes]:
    """{"structures.json": …, "services.json": …} for the services (published ones only: data·inclusion
    is public), each row checked by the schema's models before it is written. The contact's name
    (`contact_nom_prenom`, a named person) only with `include_named_contacts`."""
    from maillage.directory.models import ImportedOrganisationRef

    services = list(
        services.filter(status=ServiceStatus.PUBLISHED)
        .select_related("organisation")
        .prefetch_related(
            "phones",
            "contacts",
            "regular_schedules",
            "communes_served",
            "terms__taxonomy",
            "service_at_locations__location__commune",
        )
    )
    refs = {(r.organisation_id, r.source): r.source_id for r in ImportedOrganisationRef.objects.order_by("-pk")}
    structures, rows = {}, []
    today = timezone.localdate()
    for service in services:
        source = service.source or "maillage"
        org = service.organisation
        structure_id = _structure_id(org, source, refs)
        if (source, structure_id) not in structures:
            structures[(source, structure_id)] = di.Structure(
                source=source,
                id=structure_id,
                nom=org.name,
                date_maj=min(timezone.localtime(org.updated_at).date(), today),
                siret=org.siret or None,
                courriel=org.email or None,
                site_web=org.website or None,
                telephone=org.phone or None,
            ).model_dump(mode="json")
        rows.append(_service_row(service, source, structure_id, today, include_named_contacts))
    return {
        "structures.json": json.dumps(list(structures.values()), ensure_ascii=False, indent=1).encode("utf-8"),
        "services.json": json.dumps(rows, ensure_ascii=False, indent=1).encode("utf-8"),
    }


def _service_row(service, source: str, structure_id: str, today: date, include_named_contacts: bool) -> dict:
    by_taxonomy: dict[str, list[str]] = {}
    for term in service.terms.all():
        by_taxonomy.setdefault(term.taxonomy.slug, []).append(term.code)
    sal = next(iter(service.service_at_locations.all()), None)
    location = sal.location if sal else None
    phone = next(iter(service.phones.all()), None)
    contact = next(iter(service.contacts.all()), None) if include_named_contacts else None
    verified = service.last_verified_at or service.updated_at
    modes = [m for m, on in (("se-presenter", service.walk_in), ("telephoner", service.by_phone)) if on]
    row = di.Service(
        source=source,
        id=service.source_id or f"maillage--{service.pk}",
        structure_id=structure_id,
        nom=service.name,
        description=service.description or service.name,
        lien_source=service.url or None,
        date_maj=min(timezone.localtime(verified).date(), today),
        type=(by_taxonomy.get(Taxonomy.DI_TYPES) or [None])[0],
        thematiques=by_taxonomy.get(Taxonomy.DI_THEMATIQUES) or None,
        frais=di.Frais.GRATUIT if service.fee_kind == FeeKind.FREE else di.Frais.PAYANT,
        frais_precisions=service.fee_description or None,
        publics=by_taxonomy.get(Taxonomy.DI_PUBLICS) or None,
        conditions_acces=service.eligibility_description or None,
        adresse=location.address if location else None,
        complement_adresse=(location.address_complement or None) if location else None,
        code_postal=(location.postal_code or None) if location else None,
        code_insee=location.commune.code if location else None,
        commune=location.commune.name if location else None,
        latitude=float(location.latitude) if location and location.latitude is not None else None,
        longitude=float(location.longitude) if location and location.longitude is not None else None,
        telephone=phone.number if phone else None,
        courriel=service.email or None,
        contact_nom_prenom=contact.name if contact else None,
        modes_mobilisation=modes or None,
        mobilisable_par=["professionnels"] if service.on_referral_only else ["usagers", "professionnels"],
        mobilisation_precisions=service.application_process or None,
        zone_eligibilite=[c.code for c in service.communes_served.all()] or None,
        horaires_accueil=opening_hours(service.regular_schedules.all()) or None,
    )
    data = row.model_dump(mode="json")
    for key in ("thematiques", "publics", "modes_mobilisation", "mobilisable_par"):
        if data.get(key):
            data[key] = sorted(data[key])
    return data
