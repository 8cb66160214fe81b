"""Open Referral HSDS 3 (Human Services Data Specification): reading and writing.

Three shapes are read: a single JSON of nested `service` objects (a list, or an object with
`contents` as in HSDA answers, or `services`); one JSON file per table (`organizations.json`,
`services.json`…); the tabular CSV package (`organizations.csv`, `services.csv`, `locations.csv`,
`addresses.csv`, `service_at_locations.csv`, `phones.csv`, `contacts.csv`, `schedules.csv`,
`languages.csv`, `accessibility.csv`, `service_areas.csv`, `service_capacities.csv`, `units.csv`,
`taxonomies.csv`, `taxonomy_terms.csv`, `attributes.csv`, `organization_identifiers.csv`), in a
folder or a zip. Field names are HSDS 3.0's (schema/*.json of openreferral/specification).

What HSDS has no field for is carried by the French profile's extension fields (HSDS 3 lets a
profile add fields): `address.code_insee` and `service_area.code_insee` (the commune's INSEE code,
checked against `core.Commune`), `service.maillage_offer_kind`, `service.maillage_fee_kind`,
`service.maillage_access_modes`, and `accessibility.service_id` (Maillage records accessibility per
service, HSDS per place). Taxonomy terms are `attribute` → `taxonomy_term` (`taxonomy` = the
vocabulary's identifier in Maillage, `code` = the term's code); a term's id is `<taxonomy>:<code>`.

Files of other producers have none of these extensions: a place's commune is then found from its
address's `postal_code` and `city` (`core.territories.CommuneIndex`; the physical address first,
`state_province` for homonyms without a postal code), a `virtual` location is no place, and terms are
matched to Maillage's vocabularies by the names, URIs and codes they carry (`interop.terms`).
"""

import json
import unicodedata
import uuid
from collections import defaultdict
from datetime import date

from django.utils import timezone

from maillage.directory.enums import ACCESS_MODES, FeeKind, OfferKind, ServiceStatus, Weekday
from maillage.directory.interop import files as io_files
from maillage.directory.interop.records import (
    Item,
    LocationRecord,
    OrganisationRecord,
    Parsed,
    ServiceRecord,
    Where,
    aware_midnight,
)
from maillage.directory.interop.report import FileRefused, ImportReport

DEFAULT_SOURCE = "hsds"
NAMESPACE = uuid.UUID("6f1e3c1e-8a39-4d5e-9a55-2d0c7a1e0b21")

STATUS_IN = {
    "active": ServiceStatus.PUBLISHED,
    "inactive": ServiceStatus.DRAFT,
    "defunct": ServiceStatus.DRAFT,
    "temporarily closed": ServiceStatus.DRAFT,
}
STATUS_OUT = {ServiceStatus.PUBLISHED: "active", ServiceStatus.DRAFT: "inactive"}
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

TABLES = {
    "organizations": ("id", "name"),
    "services": ("id", "name", "status"),
    "locations": ("id",),
    "addresses": (),
    "service_at_locations": ("service_id", "location_id"),
    "phones": ("number",),
    "contacts": (),
    "schedules": (),
    "languages": (),
    "accessibility": (),
    "service_areas": (),
    "service_capacities": (),
    "service_capacity": (),
    "units": (),
    "taxonomies": (),
    "taxonomy_terms": ("id",),
    "attributes": ("taxonomy_term_id",),
    "organization_identifiers": (),
}

# Some producers name the CSV files after the objects (HSDS 3 schema names), not the tables.
SINGULAR_TABLES = {
    "organization": "organizations",
    "service": "services",
    "location": "locations",
    "address": "addresses",
    "service_at_location": "service_at_locations",
    "phone": "phones",
    "contact": "contacts",
    "schedule": "schedules",
    "language": "languages",
    "service_area": "service_areas",
    "unit": "units",
    "taxonomy": "taxonomies",
    "taxonomy_term": "taxonomy_terms",
    "attribute": "attributes",
    "organization_identifier": "organization_identifiers",
}

SERVICE_NAMES = {
    "source_id": "id",
    "organisation": "organization_id",
    "name": "name",
    "alternate_name": "alternate_name",
    "description": "description",
    "url": "url",
    "email": "email",
    "status": "status",
    "application_process": "application_process",
    "fee_description": "fees_description",
    "eligibility_description": "eligibility_description",
    "age_min": "minimum_age",
    "age_max": "maximum_age",
    "last_verified_at": "assured_date",
    "offer_kind": "maillage_offer_kind",
    "fee_kind": "maillage_fee_kind",
    "walk_in": "maillage_access_modes",
    "by_appointment": "maillage_access_modes",
    "on_referral_only": "maillage_access_modes",
    "by_phone": "maillage_access_modes",
}


# --- Reading --------------------------------------------------------------------------------------


def _s(value) -> str:
    if type(value) is str:  # the common case first: called for every field of every row
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _number(value):
    """Numbers as written: JSON 12 or 12.0, CSV "12"; anything else goes to the model's validation."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        value = value.strip()
        if value.endswith(".0") and value[:-2].isdigit():
            return value[:-2]
    return value


def _coordinate(value):
    """A float goes through its shortest text (47.322047), not its binary expansion; a French CSV's
    decimal comma (47,322047) is read as a point."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return value.strip().replace(",", ".")
    return value


def _time(value) -> str | None:
    """HSDS times may carry a zone (09:00Z, 09:00+01:00): the hours are read as local hours."""
    text = _s(value)
    if not text:
        return None
    if text.endswith("Z"):
        text = text[:-1]
    for sign in "+-":
        if sign in text[1:]:
            text = text[: text.index(sign, 1)]
    return text


class _Reader:
    """Builds the neutral records from HSDS objects (flat fields), whatever the file shape."""

    def __init__(self, source: str, report: ImportReport):
        self.source = source
        self.report = report
        self.parsed = Parsed()
        # HSDS 3 `location_type: virtual` (a website, a phone line): no place, no commune to find.
        self.virtual: set[str] = set()

    def error(self, where: Where, field_name: str, message: str) -> None:
        self.report.add(where.file, where.position, field_name, message)

    def organisation(self, row: dict, where: Where, identifiers=(), phones=()) -> str:
        org_id = _s(row.get("id"))
        if not org_id:
            self.error(where, "id", "Identifiant de la structure manquant.")
            return ""
        key = (self.source, org_id)
        if key in self.parsed.organisations:
            return org_id
        siret = ""
        for identifier in identifiers:
            kind = (_s(identifier.get("identifier_type")) + _s(identifier.get("identifier_scheme"))).upper()
            if "SIRET" in kind:
                siret = _s(identifier.get("identifier"))
        if not siret and len(_s(row.get("tax_id")).replace(" ", "")) == 14:
            siret = _s(row.get("tax_id"))
        self.parsed.organisations[key] = OrganisationRecord(
            where=where,
            source=self.source,
            source_id=org_id,
            values={
                "name": _s(row.get("name")),
                "siret": siret,
                "email": _s(row.get("email")),
                "website": _web(row.get("website")),
                "phone": _s(phones[0].get("number")) if phones else "",
            },
            names={"siret": "organization_identifiers.identifier", "phone": "phones.number"},
        )
        return org_id

    def location(
        self, row: dict, where: Where, address: dict | None, organisation_key: str, address_where: Where | None = None
    ) -> str:
        """A place and its address (`address_where`: the address's own row in a CSV package)."""
        loc_id = _s(row.get("id"))
        if not loc_id:
            self.error(where, "id", "Identifiant du lieu manquant.")
            return ""
        if _s(row.get("location_type")).lower() == "virtual":
            self.virtual.add(loc_id)
            return loc_id
        key = (self.source, loc_id)
        if key not in self.parsed.locations:
            address = address or {}
            country = _s(address.get("country"))
            if country and _fold(country) not in FRANCE:
                self.error(
                    address_where or where,
                    "addresses.country",
                    f"Pays « {country} » : Maillage ne connaît que les communes de France (FR).",
                )
            self.parsed.locations[key] = LocationRecord(
                where=where,
                source=self.source,
                source_id=loc_id,
                organisation_key=_s(row.get("organization_id")) or organisation_key,
                values={
                    "name": _s(row.get("name")),
                    "address": _s(address.get("address_1")),
                    "address_complement": _s(address.get("address_2")),
                    "postal_code": _s(address.get("postal_code")),
                    "latitude": _coordinate(row.get("latitude")),
                    "longitude": _coordinate(row.get("longitude")),
                    "transportation": _s(row.get("transportation")),
                },
                commune_code=_s(address.get("code_insee")),
                city=_s(address.get("city")),
                areas=(_s(address.get("state_province")), _s(address.get("region"))),
                address_where=address_where,
                names={
                    "address": "addresses.address_1",
                    "address_complement": "addresses.address_2",
                    "postal_code": "addresses.postal_code",
                    "commune": "addresses.code_insee",
                    "city": "addresses.city",
                    "latitude": "latitude",
                    "longitude": "longitude",
                },
            )
        return loc_id

    def service(self, row: dict, where: Where, organisation_key: str) -> ServiceRecord:
        status = _s(row.get("status")).lower()
        if not status:
            self.error(where, "status", "Champ obligatoire : active, inactive, defunct ou temporarily closed.")
        elif status not in STATUS_IN:
            self.error(
                where,
                "status",
                f"« {status} » n'est pas un état HSDS (active, inactive, defunct, temporarily closed).",
            )
        modes = row.get("maillage_access_modes") or []
        if isinstance(modes, str):
            modes = [m.strip() for m in modes.split(",") if m.strip()]
        for mode in modes:
            if mode not in ACCESS_MODES:
                self.error(where, "maillage_access_modes", f"Modalité d'accès inconnue : « {mode} ».")
        assured = _s(row.get("assured_date"))
        verified = None
        if assured:
            try:
                verified = aware_midnight(date.fromisoformat(assured[:10]))
            except ValueError:
                self.error(where, "assured_date", f"« {assured} » n'est pas une date au format AAAA-MM-JJ.")
        values = {
            "name": _s(row.get("name")),
            "alternate_name": _s(row.get("alternate_name")),
            "description": _s(row.get("description")),
            "url": _web(row.get("url")),
            "email": _s(row.get("email")),
            "status": STATUS_IN.get(status, ServiceStatus.DRAFT),
            "application_process": _s(row.get("application_process")),
            "fee_description": _s(row.get("fees_description")),
            "eligibility_description": _s(row.get("eligibility_description")),
            "age_min": _number(row.get("minimum_age")),
            "age_max": _number(row.get("maximum_age")),
            "last_verified_at": verified,
            "offer_kind": _s(row.get("maillage_offer_kind")) or OfferKind.SPECIALISED,
            "fee_kind": _s(row.get("maillage_fee_kind")) or FeeKind.FREE,
            **{mode: mode in modes for mode in ACCESS_MODES},
        }
        record = ServiceRecord(
            where=where,
            source=self.source,
            source_id=_s(row.get("id")),
            organisation_key=_s(row.get("organization_id")) or organisation_key,
            values=values,
            names=SERVICE_NAMES,
        )
        self.parsed.services.append(record)
        return record

    def schedule(self, record: ServiceRecord, row: dict, where: Where) -> None:
        names = {"opens_at": "opens_at", "closes_at": "closes_at", "location": "location_id"}
        opens, closes = _time(row.get("opens_at")), _time(row.get("closes_at"))
        byday, valid_from = _s(row.get("byday")), _s(row.get("valid_from"))
        if valid_from and not byday:
            record.exceptions.append(
                Item(
                    where,
                    {
                        "start_date": valid_from,
                        "end_date": _s(row.get("valid_to")) or valid_from,
                        "is_closed": not opens,
                        "opens_at": opens,
                        "closes_at": closes,
                        "description": _s(row.get("description")),
                    },
                    {**names, "start_date": "valid_from", "end_date": "valid_to"},
                )
            )
            return
        if not byday:
            self.error(where, "byday", "Jours d'ouverture manquants (byday, par exemple MO,TU).")
            return
        for day in byday.replace(" ", "").upper().split(","):
            if day not in DAYS:
                self.error(where, "byday", f"« {day} » n'est pas un jour (MO, TU, WE, TH, FR, SA, SU).")
                continue
            record.schedules.append(
                Item(
                    where,
                    {"weekday": DAYS.index(day), "opens_at": opens, "closes_at": closes},
                    names,
                    key="" if _s(row.get("location_id")) in self.virtual else _s(row.get("location_id")),
                )
            )

    def term(self, record: ServiceRecord, attribute: dict, term: dict | None, taxonomies: dict, where: Where) -> None:
        """A service's taxonomy term, with everything HSDS 3 says about it and its vocabulary: matched
        to the directory's vocabularies by `interop.terms.TermMatcher` (Maillage's `<slug>:<code>` ids,
        or a producer's names, URIs and codes)."""
        term_id = _s(attribute.get("taxonomy_term_id")) or _s((term or {}).get("id"))
        if term is None and ":" in term_id:
            taxonomy, code = term_id.split(":", 1)
            values = {"taxonomy": taxonomy, "code": code}
        elif term is not None:
            taxonomy_id = _s(term.get("taxonomy_id"))
            detail = term.get("taxonomy_detail")
            if not isinstance(detail, dict):
                detail = term.get("taxonomy") if isinstance(term.get("taxonomy"), dict) else {}
            detail = detail or taxonomies.get(taxonomy_id, {})
            taxonomy = term.get("taxonomy")
            values = {
                "taxonomy": (_s(taxonomy) if not isinstance(taxonomy, dict) else "") or taxonomy_id,
                "code": _s(term.get("code")),
                "name": _s(term.get("name")),
                "term_uri": _s(term.get("term_uri")),
                "term_id": term_id,
                "taxonomy_id": taxonomy_id or _s(detail.get("id")),
                "taxonomy_name": _s(detail.get("name")),
                "taxonomy_uri": _s(detail.get("uri")),
            }
        else:
            # A dangling reference says nothing of the term: left aside like an unknown term.
            self.report.warn(
                where.file,
                where.position,
                "taxonomy_term_id",
                f"Le terme de taxonomie « {term_id} » n'est décrit ni dans l'attribut ni dans taxonomy_terms : "
                "ignoré.",
            )
            return
        record.terms.append(Item(where, values, {"code": "taxonomy_term.code"}, key=term_id))

    def children(self, record: ServiceRecord, kind: str, row: dict, where: Where, extra=None) -> None:
        """One nested row of a service: phones, contacts, languages, accessibility, capacities, areas."""
        if kind == "phones":
            record.phones.append(
                Item(where, {"number": _s(row.get("number")), "description": _s(row.get("description"))})
            )
        elif kind == "contacts":
            if not _s(row.get("name")) and not _s(row.get("title")):
                self.report.warn(
                    where.file, where.position, "name", "Contact sans nom ni fonction (HSDS le permet) : ignoré."
                )
                return
            record.contacts.append(
                Item(
                    where,
                    {
                        "name": _s(row.get("name")) or _s(row.get("title")),  # « Accueil », « Référente »
                        "title": _s(row.get("title")),
                        "email": _s(row.get("email")),
                        "phone": _s(extra) if extra else "",
                    },
                    {"phone": "phones.number"},
                )
            )
        elif kind == "languages":
            code = _s(row.get("code")) or LANGUAGE_CODES.get(_fold(_s(row.get("name"))), "")
            if not code:
                self.report.warn(
                    where.file,
                    where.position,
                    "code",
                    f"Langue « {_s(row.get('name'))} » sans code ISO 639 : ignorée.",
                )
                return
            record.languages.append(Item(where, {"code": code, "name": _s(row.get("name")) or code}))
        elif kind == "accessibility":
            record.accessibility.append(
                Item(
                    where,
                    {"feature": _s(row.get("description")), "details": _s(row.get("details"))},
                    {"feature": "description"},
                )
            )
        elif kind == "capacities":
            record.capacities.append(
                Item(
                    where,
                    {
                        "unit": _s(extra),
                        "maximum": _number(row.get("maximum")),
                        "available": _number(row.get("available")),
                        "description": _s(row.get("description")),
                    },
                    {"unit": "unit.name"},
                )
            )
        elif kind == "service_areas":
            code = _s(row.get("code_insee"))
            if code:
                record.communes_served.append(Item(where, {"code": code}, {"code": "code_insee"}))
                return
            # HSDS has no INSEE code: an area is a name, a postal code or a text extent, read by
            # records.check as communes (a commune, a postal code, an EPCI, a département) or kept as text.
            extent = _s(row.get("extent")) if _s(row.get("extent_type")).lower() in ("", "text") else ""
            text = _s(row.get("name")) or extent or _s(row.get("description"))
            if text:
                field = "name" if _s(row.get("name")) else ("extent" if extent else "description")
                record.communes_served.append(
                    Item(where, {"code": "", "text": text}, {"code": "code_insee", "text": field})
                )


def read(path_or_files, *, source: str = DEFAULT_SOURCE, report: ImportReport) -> Parsed:
    files = io_files.collect_files(path_or_files)
    reader = _Reader(source, report)
    csv_names = {n for n in files if n.lower().endswith(".csv")}
    json_names = {n for n in files if n.lower().endswith(".json")}
    if csv_names:
        tables = {}
        stems = {name[:-4].lower() for name in csv_names}
        for name in sorted(csv_names):
            stem = name[:-4].lower()
            if stem in SINGULAR_TABLES and SINGULAR_TABLES[stem] not in stems:  # service.csv, address.csv…
                stem = SINGULAR_TABLES[stem]
            if stem in TABLES:
                tables[stem] = [
                    (Where(name, f"ligne {line}"), row)
                    for line, row in io_files.read_csv(name, files[name], required=TABLES[stem])
                ]
        _read_tables(reader, tables)
    elif any(n[:-5].lower() in TABLES and n.lower() != "services.json" for n in json_names):
        tables = {}
        for name in sorted(json_names):
            stem = name[:-5].lower()
            if stem in TABLES:
                data = io_files.load_json(name, files[name])
                if not isinstance(data, list):
                    raise FileRefused(f"Le fichier « {name} » doit contenir une liste d'objets.")
                tables[stem] = [(Where(name, f"élément {i}"), row) for i, row in enumerate(data)]
        _check_columns(tables)
        _read_tables(reader, tables)
    elif json_names:
        name = sorted(json_names)[0]
        data = io_files.load_json(name, files[name])
        if isinstance(data, dict):
            data = _services_of(data)
        if not isinstance(data, list):
            raise FileRefused(
                f"Le fichier « {name} » doit contenir une liste de services HSDS (ou un objet avec « contents »)."
            )
        _read_nested(reader, name, data)
    else:
        raise FileRefused("Aucun fichier HSDS trouvé (fichiers .json ou paquet de fichiers .csv attendus).")
    return reader.parsed


def _services_of(data: dict):
    """The services of a JSON object: an HSDA page (`contents`), `services`, an organisation with
    its services (HSDS 3 `organization_full`: each gets it as `organization`), or one service."""
    if "contents" in data:
        return data["contents"]
    services = data.get("services")
    if isinstance(services, list):
        if _s(data.get("id")) and _s(data.get("name")):  # an organisation
            organisation = {k: v for k, v in data.items() if k != "services"}
            return [
                {**service, "organization": service.get("organization") or organisation}
                if isinstance(service, dict)
                else service
                for service in services
            ]
        return services
    if _s(data.get("id")) and "status" in data:  # a single service
        return [data]
    return None


def _check_columns(tables: dict) -> None:
    for rows in tables.values():
        for where, row in rows:
            if not isinstance(row, dict):
                raise FileRefused(f"Le fichier « {where.file} », {where.position}, n'est pas un objet JSON.")


def _read_nested(reader: _Reader, name: str, services: list) -> None:
    for index, service in enumerate(services):
        base = f"élément {index}"
        where = Where(name, base)
        if not isinstance(service, dict):
            reader.error(where, "", "Cet élément n'est pas un objet service HSDS.")
            continue
        org_key = ""
        organisation = service.get("organization")
        if isinstance(organisation, dict):
            org_key = reader.organisation(
                organisation,
                Where(name, f"{base}.organization"),
                identifiers=_list(organisation, "organization_identifiers"),
                phones=_list(organisation, "phones"),
            )
        record = reader.service(service, where, org_key)

        def sub(kind, i, _base=base):
            return Where(name, f"{_base}.{kind}[{i}]")

        for i, row in enumerate(_list(service, "phones")):
            reader.children(record, "phones", row, sub("phones", i))
        for i, row in enumerate(_list(service, "contacts")):
            phones = _list(row, "phones")
            reader.children(
                record, "contacts", row, sub("contacts", i), extra=phones[0].get("number") if phones else ""
            )
        for i, row in enumerate(_list(service, "languages")):
            reader.children(record, "languages", row, sub("languages", i))
        for i, row in enumerate(_list(service, "service_areas")):
            reader.children(record, "service_areas", row, sub("service_areas", i))
        for i, row in enumerate(_list(service, "capacities")):
            unit = row.get("unit") if isinstance(row.get("unit"), dict) else {}
            reader.children(record, "capacities", row, sub("capacities", i), extra=unit.get("name"))
        for i, row in enumerate(_list(service, "accessibility")):
            reader.children(record, "accessibility", row, sub("accessibility", i))
        # HSDS 3 also describes the places in `organization.locations`: a link may only name one.
        org_locations = {
            _s(row.get("id")): row
            for row in _list(organisation if isinstance(organisation, dict) else {}, "locations")
        }
        for i, sal in enumerate(_list(service, "service_at_locations")):
            location = sal.get("location") if isinstance(sal.get("location"), dict) else None
            location = location or org_locations.get(_s(sal.get("location_id")))
            sal_where = sub("service_at_locations", i)
            if location is None:
                reader.error(sal_where, "location", "Lieu manquant (objet « location » attendu).")
                continue
            where_loc = Where(name, f"{sal_where.position}.location")
            addresses = _list(location, "addresses")
            loc_id = reader.location(location, where_loc, _place_address(addresses), org_key)
            if loc_id in reader.virtual:  # online: its hours are the service's
                for j, row in enumerate(_list(sal, "schedules")):
                    reader.schedule(record, row, Where(name, f"{sal_where.position}.schedules[{j}]"))
                continue
            record.locations.append(
                Item(sal_where, {"description": _s(sal.get("description"))}, {"location": "location.id"}, key=loc_id)
            )
            for j, row in enumerate(_list(location, "accessibility")):
                reader.children(record, "accessibility", row, Where(name, f"{where_loc.position}.accessibility[{j}]"))
            for j, row in enumerate(_list(sal, "schedules")):
                reader.schedule(
                    record, {**row, "location_id": loc_id}, Where(name, f"{sal_where.position}.schedules[{j}]")
                )
        for i, row in enumerate(_list(service, "schedules")):
            reader.schedule(record, row, sub("schedules", i))
        for i, attribute in enumerate(_list(service, "attributes")):
            term = attribute.get("taxonomy_term") if isinstance(attribute.get("taxonomy_term"), dict) else None
            reader.term(record, attribute, term, {}, sub("attributes", i))


# HSDS 3 `country` is an ISO 3166-1 code; overseas départements have their own, and files also
# write the name or ISO 3166-1 alpha-3.
FRANCE = {"fr", "fra", "france", "gp", "mq", "gf", "re", "yt", "glp", "mtq", "guf", "reu", "myt"}


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().strip().lower()


# A language named without its code (HSDS makes `code` optional): the common ones.
LANGUAGE_CODES = {
    "francais": "fr",
    "french": "fr",
    "anglais": "en",
    "english": "en",
    "arabe": "ar",
    "arabic": "ar",
    "espagnol": "es",
    "spanish": "es",
    "allemand": "de",
    "german": "de",
    "italien": "it",
    "portugais": "pt",
    "breton": "br",
    "langue des signes francaise": "fsl",
    "langue des signes francaise (lsf)": "fsl",
    "lsf": "fsl",
}


def _web(value) -> str:
    """A web address as producers write it: « www.example.fr » is https://www.example.fr."""
    text = _s(value)
    if text and "://" not in text and " " not in text and "." in text and "@" not in text:
        return f"https://{text}"
    return text


ADDRESS_TYPES = ("physical", "", "postal")  # HSDS 3 address_type, in order of preference


def _place_address(addresses: list[dict]) -> dict | None:
    """The address that says where the place is: the physical one (HSDS 3 `address_type`), else one
    without a type, else the postal one (a letter box, better than no commune at all)."""

    def rank(address):
        kind = _s(address.get("address_type")).lower()
        return ADDRESS_TYPES.index(kind) if kind in ADDRESS_TYPES else len(ADDRESS_TYPES)

    return min(addresses, key=rank) if addresses else None


def _list(obj: dict, key: str) -> list[dict]:
    value = obj.get(key)
    if not value:  # most keys are absent: no list to build
        return []
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _read_tables(reader: _Reader, tables: dict) -> None:
    def by(table, column):
        index = defaultdict(list)
        for where, row in tables.get(table, []):
            index[_s(row.get(column))].append((where, row))
        return index

    if "services" not in tables:
        raise FileRefused("Le paquet HSDS n'a pas de table des services (services.csv ou services.json).")
    identifiers = by("organization_identifiers", "organization_id")
    org_phones = by("phones", "organization_id")
    for where, row in tables.get("organizations", []):
        reader.organisation(
            row,
            where,
            identifiers=[r for _, r in identifiers[_s(row.get("id"))]],
            phones=[r for _, r in org_phones[_s(row.get("id"))]],
        )
    addresses = by("addresses", "location_id")
    for where, row in tables.get("locations", []):
        rows = addresses[_s(row.get("id"))]
        address = _place_address([r for _, r in rows])
        address_where = next((w for w, r in rows if r is address), None)
        reader.location(row, where, address, "", address_where=address_where)

    phones, contacts_phones = by("phones", "service_id"), by("phones", "contact_id")
    contacts, languages = by("contacts", "service_id"), by("languages", "service_id")
    schedules, areas = by("schedules", "service_id"), by("service_areas", "service_id")
    sals = by("service_at_locations", "service_id")
    sal_schedules = by("schedules", "service_at_location_id")  # HSDS 3: hours of a service at a place
    capacities = by("service_capacities", "service_id")
    for key, rows in by("service_capacity", "service_id").items():
        capacities[key] += rows
    units = {_s(r.get("id")): _s(r.get("name")) for _, r in tables.get("units", [])}
    accessibility_by_service = by("accessibility", "service_id")
    accessibility_by_location = by("accessibility", "location_id")
    attributes = by("attributes", "link_id")
    terms = {_s(r.get("id")): r for _, r in tables.get("taxonomy_terms", [])}
    taxonomies = {_s(r.get("id")): r for _, r in tables.get("taxonomies", [])}

    for where, row in tables["services"]:
        record = reader.service(row, where, "")
        sid = record.source_id
        if not sid:
            continue
        for w, r in phones[sid]:
            reader.children(record, "phones", r, w)
        for w, r in contacts[sid]:
            numbers = contacts_phones[_s(r.get("id"))]
            reader.children(record, "contacts", r, w, extra=numbers[0][1].get("number") if numbers else "")
        for w, r in languages[sid]:
            reader.children(record, "languages", r, w)
        for w, r in areas[sid]:
            reader.children(record, "service_areas", r, w)
        for w, r in capacities[sid]:
            reader.children(record, "capacities", r, w, extra=units.get(_s(r.get("unit_id")), ""))
        for w, r in accessibility_by_service[sid]:
            reader.children(record, "accessibility", r, w)
        for w, r in sals[sid]:
            loc_id = _s(r.get("location_id"))
            for w2, r2 in sal_schedules[_s(r.get("id"))] if _s(r.get("id")) else ():
                if not _s(r2.get("service_id")):  # else read with the service's own schedules
                    reader.schedule(record, {**r2, "location_id": loc_id}, w2)
            if loc_id in reader.virtual:
                continue
            record.locations.append(
                Item(w, {"description": _s(r.get("description"))}, {"location": "location_id"}, key=loc_id)
            )
            for w2, r2 in accessibility_by_location[loc_id]:
                if not _s(r2.get("service_id")):
                    reader.children(record, "accessibility", r2, w2)
        for w, r in schedules[sid]:
            reader.schedule(record, r, w)
        for w, r in attributes[sid]:
            if _s(r.get("link_entity") or "service").lower() == "service":
                reader.term(record, r, terms.get(_s(r.get("taxonomy_term_id"))), taxonomies, w)


# --- Writing --------------------------------------------------------------------------------------


def _uid(kind: str, pk) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{pk}"))


def _org_id(org, refs) -> str:
    return refs.get(org.pk) or _uid("organisation", org.pk)


def nested(services, *, include_named_contacts: bool = True) -> list[dict]:
    """The services as HSDS 3 `service` objects with everything nested (organisation, places…).
    Without `include_named_contacts`, no contact (a named person, their phone and e-mail)."""
    from maillage.directory.models import ImportedLocationRef, ImportedOrganisationRef

    services = list(
        services.select_related("organisation").prefetch_related(
            "phones",
            "contacts",
            "regular_schedules",
            "schedule_exceptions",
            "languages",
            "accessibility",
            "capacities",
            "communes_served",
            "terms__taxonomy",
            "service_at_locations__location__commune",
        )
    )
    org_refs, loc_refs = {}, {}
    for ref in ImportedOrganisationRef.objects.order_by("-pk"):
        org_refs[ref.organisation_id] = ref.source_id
    for ref in ImportedLocationRef.objects.order_by("-pk"):
        loc_refs[ref.location_id] = ref.source_id
    objects = [_service_object(s, org_refs, loc_refs) for s in services]
    if not include_named_contacts:
        for obj in objects:
            obj["contacts"] = []
    return objects


def _service_object(service, org_refs, loc_refs) -> dict:
    sid = service.source_id if service.source else _uid("service", service.pk)
    org = service.organisation
    org_id = _org_id(org, org_refs)
    accessibility = [
        {
            "id": _uid("accessibility", a.pk),
            "service_id": sid,
            "description": a.get_feature_display(),
            "details": a.details,
        }
        for a in service.accessibility.all()
    ]
    sals, location_ids = [], {}
    for sal in service.service_at_locations.all():
        location = sal.location
        loc_id = loc_refs.get(location.pk) or _uid("location", location.pk)
        location_ids[location.pk] = loc_id
        sals.append(
            {
                "id": _uid("service_at_location", sal.pk),
                "service_id": sid,
                "location_id": loc_id,
                "description": sal.description,
                "location": {
                    "id": loc_id,
                    "location_type": "physical",
                    "organization_id": _org_id(location.organisation, org_refs)
                    if location.organisation_id != org.pk
                    else org_id,
                    "name": location.name,
                    "transportation": location.transportation,
                    "latitude": float(location.latitude) if location.latitude is not None else None,
                    "longitude": float(location.longitude) if location.longitude is not None else None,
                    "addresses": [
                        {
                            "id": _uid("address", location.pk),
                            "location_id": loc_id,
                            "address_1": location.address,
                            "address_2": location.address_complement,
                            "city": location.commune.name,
                            "postal_code": location.postal_code,
                            "state_province": "",
                            "country": "FR",
                            "address_type": "physical",
                            "code_insee": location.commune.code,
                        }
                    ],
                    "accessibility": [{**a, "location_id": loc_id} for a in accessibility],
                },
            }
        )
    schedules = [
        {
            "id": _uid("schedule", r.pk),
            "service_id": sid,
            "location_id": location_ids.get(r.location_id, "") if r.location_id else "",
            "freq": "WEEKLY",
            "byday": DAYS[r.weekday],
            "opens_at": r.opens_at.strftime("%H:%M"),
            "closes_at": r.closes_at.strftime("%H:%M"),
            "description": f"{Weekday(r.weekday).label} {r.opens_at:%H:%M}–{r.closes_at:%H:%M}",
        }
        for r in service.regular_schedules.all()
    ] + [
        {
            "id": _uid("schedule_exception", e.pk),
            "service_id": sid,
            "valid_from": e.start_date.isoformat(),
            "valid_to": e.end_date.isoformat(),
            "opens_at": e.opens_at.strftime("%H:%M") if e.opens_at and not e.is_closed else "",
            "closes_at": e.closes_at.strftime("%H:%M") if e.closes_at and not e.is_closed else "",
            "description": e.description,
        }
        for e in service.schedule_exceptions.all()
    ]
    verified = timezone.localtime(service.last_verified_at).date().isoformat() if service.last_verified_at else ""
    obj = {
        "id": sid,
        "organization_id": org_id,
        "name": service.name,
        "alternate_name": service.alternate_name,
        "description": service.description,
        "url": service.url,
        "email": service.email,
        "status": STATUS_OUT[service.status],
        "application_process": service.application_process,
        "fees_description": service.fee_description,
        "eligibility_description": service.eligibility_description,
        "minimum_age": service.age_min,
        "maximum_age": service.age_max,
        "assured_date": verified,
        "maillage_offer_kind": service.offer_kind,
        "maillage_fee_kind": service.fee_kind,
        "maillage_access_modes": [m for m in ACCESS_MODES if getattr(service, m)],
        "organization": {
            "id": org_id,
            "name": org.name,
            "description": "",
            "email": org.email,
            "website": org.website,
            "organization_identifiers": (
                [
                    {
                        "id": _uid("organization_identifier", org.pk),
                        "organization_id": org_id,
                        "identifier_scheme": "FR-SIRET",
                        "identifier_type": "SIRET",
                        "identifier": org.siret,
                    }
                ]
                if org.siret
                else []
            ),
            "phones": [{"id": _uid("organization_phone", org.pk), "organization_id": org_id, "number": org.phone}]
            if org.phone
            else [],
        },
        "phones": [
            {"id": _uid("phone", p.pk), "service_id": sid, "number": p.number, "description": p.description}
            for p in service.phones.all()
        ],
        "contacts": [
            {
                "id": _uid("contact", c.pk),
                "service_id": sid,
                "name": c.name,
                "title": c.title,
                "email": c.email,
                "phones": [{"id": _uid("contact_phone", c.pk), "contact_id": _uid("contact", c.pk), "number": c.phone}]
                if c.phone
                else [],
            }
            for c in service.contacts.all()
        ],
        "schedules": schedules,
        "service_areas": [
            {
                "id": _uid("service_area", f"{service.pk}:{c.pk}"),
                "service_id": sid,
                "name": c.name,
                "extent_type": "text",
                "extent": c.code,
                "code_insee": c.code,
            }
            for c in service.communes_served.all()
        ],
        "service_at_locations": sals,
        "languages": [
            {"id": _uid("language", lang.pk), "service_id": sid, "name": lang.name, "code": lang.code}
            for lang in service.languages.all()
        ],
        "capacities": [
            {
                "id": _uid("service_capacity", c.pk),
                "service_id": sid,
                "unit_id": _uid("unit", c.unit),
                "maximum": c.maximum,
                "available": c.available,
                "description": c.description,
                "unit": {"id": _uid("unit", c.unit), "name": c.unit},
            }
            for c in service.capacities.all()
        ],
        "attributes": [
            {
                "id": _uid("attribute", f"{service.pk}:{t.pk}"),
                "link_id": sid,
                "link_type": "service",
                "link_entity": "service",
                "taxonomy_term_id": f"{t.taxonomy.slug}:{t.code}",
                "taxonomy_term": {
                    "id": f"{t.taxonomy.slug}:{t.code}",
                    "code": t.code,
                    "name": t.name,
                    "taxonomy": t.taxonomy.slug,
                    "taxonomy_id": t.taxonomy.slug,
                },
            }
            for t in service.terms.all()
        ],
    }
    if not sals and accessibility:
        obj["accessibility"] = accessibility  # Maillage extension: no place to carry it
    return obj


COLUMNS = {
    "organizations": ["id", "name", "alternate_name", "description", "email", "website", "tax_id"],
    "organization_identifiers": ["id", "organization_id", "identifier_scheme", "identifier_type", "identifier"],
    "services": [
        "id",
        "organization_id",
        "name",
        "alternate_name",
        "description",
        "url",
        "email",
        "status",
        "application_process",
        "fees_description",
        "eligibility_description",
        "minimum_age",
        "maximum_age",
        "assured_date",
        "maillage_offer_kind",
        "maillage_fee_kind",
        "maillage_access_modes",
    ],
    "locations": [
        "id",
        "location_type",
        "organization_id",
        "name",
        "transportation",
        "latitude",
        "longitude",
    ],
    "addresses": [
        "id",
        "location_id",
        "address_1",
        "address_2",
        "city",
        "postal_code",
        "state_province",
        "country",
        "address_type",
        "code_insee",
    ],
    "service_at_locations": ["id", "service_id", "location_id", "description"],
    "phones": ["id", "organization_id", "service_id", "contact_id", "number", "description"],
    "contacts": ["id", "service_id", "name", "title", "email"],
    "schedules": [
        "id",
        "service_id",
        "location_id",
        "valid_from",
        "valid_to",
        "freq",
        "byday",
        "opens_at",
        "closes_at",
        "description",
    ],
    "languages": ["id", "service_id", "name", "code"],
    "accessibility": ["id", "location_id", "service_id", "description", "details"],
    "service_areas": ["id", "service_id", "name", "extent_type", "extent", "code_insee"],
    "service_capacities": ["id", "service_id", "unit_id", "maximum", "available", "description"],
    "units": ["id", "name"],
    "taxonomies": ["id", "name", "description", "version"],
    "taxonomy_terms": ["id", "code", "name", "description", "parent_id", "taxonomy", "taxonomy_id"],
    "attributes": ["id", "link_id", "link_type", "link_entity", "taxonomy_term_id"],
}


def tables(services_nested: list[dict]) -> dict[str, list[dict]]:
    """Flatten nested services into HSDS tables (each row once)."""
    from maillage.directory.models import Taxonomy

    out: dict[str, dict] = {name: {} for name in COLUMNS}

    def put(table, row):
        out[table].setdefault(row["id"], row)

    for s in services_nested:
        org = s["organization"]
        put("organizations", {k: v for k, v in org.items() if k in COLUMNS["organizations"]})
        for row in org["organization_identifiers"]:
            put("organization_identifiers", row)
        for row in org["phones"]:
            put("phones", row)
        put("services", {k: v for k, v in s.items() if k in COLUMNS["services"]})
        for row in s["phones"]:
            put("phones", row)
        for contact in s["contacts"]:
            put("contacts", contact)
            for row in contact["phones"]:
                put("phones", row)
        for row in s["schedules"]:
            put("schedules", row)
        for row in s["languages"]:
            put("languages", row)
        for row in s["service_areas"]:
            put("service_areas", row)
        for row in s["capacities"]:
            put("service_capacities", row)
            put("units", row["unit"])
        for row in s.get("accessibility", []):
            put("accessibility", {**row, "location_id": ""})
        for sal in s["service_at_locations"]:
            location = sal["location"]
            put("service_at_locations", sal)
            put("locations", location)
            for row in location["addresses"]:
                put("addresses", row)
            for row in location["accessibility"]:
                put("accessibility", {**row, "id": _uid("accessibility-at", f"{row['id']}:{location['id']}")})
        for attribute in s["attributes"]:
            put("attributes", attribute)
            put("taxonomy_terms", attribute["taxonomy_term"])
    for taxonomy in Taxonomy.objects.order_by("slug"):
        put(
            "taxonomies",
            {
                "id": taxonomy.slug,
                "name": taxonomy.name,
                "description": taxonomy.description,
                "version": taxonomy.version,
            },
        )
    return {name: list(rows.values()) for name, rows in out.items()}


def export_json(services, *, include_named_contacts: bool = False) -> bytes:
    data = nested(services, include_named_contacts=include_named_contacts)
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


def export_csv_files(services, *, include_named_contacts: bool = False) -> dict[str, bytes]:
    data = nested(services, include_named_contacts=include_named_contacts)
    return {f"{name}.csv": io_files.csv_bytes(COLUMNS[name], rows) for name, rows in tables(data).items()}
