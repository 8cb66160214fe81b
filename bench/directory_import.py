"""Benchmark: importing a département-size directory from an HSDS file.

    python bench/directory_import.py [--n N] [--keep]

Builds a separate database `test_<name>_bench_import` from DATABASE_URL, loads the communes of
Côte-d'Or, writes a nested HSDS 3 JSON file of N services (default 50,000) over N/250
organisations and N/2 places, each service with a phone, two opening spans, two taxonomy terms
and a commune served; then times `directory_import` on it (reading, validation, writing) and, as
two floors in the same database, with the same indexes, constraints and triggers:

- « COPY nu »: every row the import wrote (organisations and their references, places and theirs,
  services with their search text, details, reach rows, audit lines), read back beforehand as COPY
  text and copied again under new ids in one transaction: what the server alone must do, with no
  reading, no validation, no Python per row. The import's target is measured against this one.
- « bulk_create »: the services, places and details built from the file as model instances and
  saved with bulk_create (no search text, reach rows or audit lines): the former floor, kept for
  comparison.

Prints services per second for each and the ratios (--reimport: also a second, updating import).
Never fails on timing.
"""

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maillage.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from faker import Faker  # noqa: E402

DAYS = ["MO", "TU", "WE", "TH", "FR"]


def generate(n: int, path: Path) -> list[dict]:
    from maillage.core.models import Commune
    from maillage.directory.models import TaxonomyTerm

    rnd, fake = random.Random(21), Faker("fr_FR")
    fake.seed_instance(21)
    communes = list(Commune.objects.values_list("code", "name"))
    terms = [f"{slug}:{code}" for slug, code in TaxonomyTerm.objects.values_list("taxonomy__slug", "code")]
    organisations = [
        {"id": f"org-{i}", "name": f"{fake.company()} {i}", "email": f"contact{i}@exemple.fr"}
        for i in range(max(1, n // 250))
    ]
    places = []
    for i in range(max(1, n // 2)):
        code, city = rnd.choice(communes)
        places.append(
            {
                "id": f"loc-{i}",
                "name": "",
                "addresses": [
                    {"address_1": fake.street_address(), "postal_code": "21000", "city": city, "code_insee": code}
                ],
            }
        )
    services = []
    for i in range(n):
        org = organisations[i % len(organisations)]
        day = DAYS[i % 5]
        services.append(
            {
                "id": f"svc-{i}",
                "name": f"Service {fake.word()} {i}",
                "description": fake.sentence(),
                "status": "active",
                "organization": org,
                "phones": [{"number": fake.phone_number()[:20]}],
                "schedules": [
                    {"freq": "WEEKLY", "byday": day, "opens_at": "09:00", "closes_at": "12:00"},
                    {"freq": "WEEKLY", "byday": day, "opens_at": "14:00", "closes_at": "17:00"},
                ],
                "service_areas": [{"code_insee": rnd.choice(communes)[0]}],
                "service_at_locations": [{"location": places[i % len(places)]}],
                "attributes": [{"taxonomy_term_id": t} for t in rnd.sample(terms, 2)],
            }
        )
    path.write_text(json.dumps(services, ensure_ascii=False), encoding="utf-8")
    return services


def copy_floor(source: str) -> float:
    """Every row the import of `source` wrote, copied again under new ids by COPY … FROM STDIN of text
    read back beforehand; returns the seconds of the copy and its commit (the reading is not timed)."""
    from django.contrib.contenttypes.models import ContentType
    from psycopg.copy import QueuedLibpqWriter

    from maillage.core.models import AuditLogEntry, Organisation
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
        ServiceReach,
    )

    q = connection.ops.quote_name
    remapped = {Organisation: "organisation", Location: "location", Service: "service"}
    with connection.cursor() as cursor:
        offsets = {}
        for model in remapped:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 10000000 FROM {q(model._meta.db_table)}")  # noqa: S608
            offsets[model] = cursor.fetchone()[0]
    types = {model: ContentType.objects.get_for_model(model).pk for model in remapped}
    chosen = {
        Organisation: (
            f"id IN (SELECT organisation_id FROM directory_importedorganisationref WHERE source = '{source}')"
        ),
        Location: f"id IN (SELECT location_id FROM directory_importedlocationref WHERE source = '{source}')",
        Service: f"source = '{source}'",
    }
    of_services = f"service_id IN (SELECT id FROM directory_service WHERE {chosen[Service]})"
    audited = " OR ".join(
        f"(content_type_id = {types[model]} AND object_id IN (SELECT id FROM {model._meta.db_table} WHERE {where}))"
        for model, where in chosen.items()
    )
    tables = [
        (Organisation, chosen[Organisation]),
        (ImportedOrganisationRef, f"source = '{source}'"),
        (Location, chosen[Location]),
        (ImportedLocationRef, f"source = '{source}'"),
        (Service, chosen[Service]),
        *(
            (model, of_services)
            for model in (
                Phone,
                Contact,
                RegularSchedule,
                ScheduleException,
                ServiceLanguage,
                ServiceAccessibility,
                ServiceCapacity,
                ServiceAtLocation,
                Service.terms.through,
                Service.communes_served.through,
                ServiceReach,
            )
        ),
        (AuditLogEntry, audited),
    ]

    def expression(model, field) -> str:
        column = q(field.column)
        if field.primary_key:
            return f"{column} + {offsets[model]}" if model in remapped else None
        target = field.related_model if field.is_relation else None
        if target in remapped:
            return f"{column} + {offsets[target]}"
        if field.name == "source":
            return "'floor-copy'"
        if model is AuditLogEntry and field.name in ("object_id", "object_pk"):
            cases = " ".join(f"WHEN {types[m]} THEN object_id + {offsets[m]}" for m in remapped)
            value = f"(CASE content_type_id {cases} ELSE object_id END)"
            return f"{value}::text" if field.name == "object_pk" else value
        return column

    copies = []
    with connection.cursor() as cursor:
        for model, where in tables:
            pairs = [(f.column, expression(model, f)) for f in model._meta.concrete_fields if not f.generated]
            pairs = [(c, e) for c, e in pairs if e is not None]
            names = ", ".join(q(c) for c, _ in pairs)
            select = ", ".join(e for _, e in pairs)
            data = bytearray()
            table = q(model._meta.db_table)
            with cursor.cursor.copy(f"COPY (SELECT {select} FROM {table} WHERE {where} ORDER BY 1) TO STDOUT") as copy:  # noqa: S608
                for block in copy:
                    data += block
            copies.append((f"COPY {table} ({names}) FROM STDIN", bytes(data)))
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        for statement, data in copies:
            with raw.copy(statement, writer=QueuedLibpqWriter(raw)) as copy:
                copy.write(data)
    return time.perf_counter() - started


def floor(services: list[dict]) -> None:
    """The same rows, inserted with bulk_create only: no file, no validation, no identity lookup."""
    from maillage.core.enums import OrganisationKind
    from maillage.core.models import Commune, Organisation
    from maillage.directory.models import (
        Location,
        Phone,
        RegularSchedule,
        Service,
        ServiceAtLocation,
        TaxonomyTerm,
    )

    communes = dict(Commune.objects.values_list("code", "pk"))
    terms = {f"{s}:{c}": pk for s, c, pk in TaxonomyTerm.objects.values_list("taxonomy__slug", "code", "pk")}
    with transaction.atomic():
        orgs = {}
        for s in services:
            o = s["organization"]
            if o["id"] not in orgs:
                orgs[o["id"]] = Organisation(name=o["name"], email=o["email"], kind=OrganisationKind.OTHER)
        Organisation.objects.bulk_create(orgs.values(), batch_size=2000)
        places = {}
        for s in services:
            loc = s["service_at_locations"][0]["location"]
            if loc["id"] not in places:
                a = loc["addresses"][0]
                places[loc["id"]] = Location(
                    organisation=orgs[s["organization"]["id"]],
                    address=a["address_1"],
                    postal_code=a["postal_code"],
                    commune_id=communes[a["code_insee"]],
                )
        Location.objects.bulk_create(places.values(), batch_size=2000)
        rows = [
            Service(
                organisation=orgs[s["organization"]["id"]],
                name=s["name"],
                description=s["description"],
                status="published",
                source="floor",
                source_id=s["id"],
            )
            for s in services
        ]
        Service.objects.bulk_create(rows, batch_size=2000)
        phones, schedules, sals, links, areas = [], [], [], [], []
        for service, s in zip(rows, services, strict=True):
            phones.append(Phone(service=service, number=s["phones"][0]["number"]))
            for h in s["schedules"]:
                schedules.append(
                    RegularSchedule(
                        service=service,
                        weekday=DAYS.index(h["byday"]),
                        opens_at=h["opens_at"],
                        closes_at=h["closes_at"],
                    )
                )
            sals.append(
                ServiceAtLocation(service=service, location=places[s["service_at_locations"][0]["location"]["id"]])
            )
            links += [
                Service.terms.through(service_id=service.pk, taxonomyterm_id=terms[a["taxonomy_term_id"]])
                for a in s["attributes"]
            ]
            areas.append(
                Service.communes_served.through(
                    service_id=service.pk, commune_id=communes[s["service_areas"][0]["code_insee"]]
                )
            )
        for model, objs in (
            (Phone, phones),
            (RegularSchedule, schedules),
            (ServiceAtLocation, sals),
            (Service.terms.through, links),
            (Service.communes_served.through, areas),
        ):
            model.objects.bulk_create(objs, batch_size=2000)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50_000, help="Nombre de services (50 000 par défaut).")
    parser.add_argument("--keep", action="store_true", help="Garder la base de banc après la mesure.")
    parser.add_argument("--reimport", action="store_true", help="Mesurer aussi un second import (mise à jour).")
    args = parser.parse_args()

    settings_dict = connection.settings_dict
    base = Path(settings_dict["NAME"]).stem if connection.vendor == "sqlite" else settings_dict["NAME"]
    name = f"test_{base}_bench_import"
    settings_dict.setdefault("TEST", {})["NAME"] = (
        str(Path(tempfile.gettempdir()) / f"{name}.sqlite3") if connection.vendor == "sqlite" else name
    )
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        from maillage.core.territories import load_territories, read_extract
        from maillage.directory.interop import hsds
        from maillage.directory.interop.services import directory_import
        from maillage.directory.models import Service

        load_territories(read_extract(), departement_codes={"21"})
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "services.json"
            started = time.perf_counter()
            services = generate(args.n, path)
            size, seconds = path.stat().st_size / 1e6, time.perf_counter() - started
            print(f"Fichier HSDS : {args.n} services, {size:.1f} Mo ({seconds:.1f} s)")

            started = time.perf_counter()
            report = directory_import(format="hsds", path_or_files=path)
            import_seconds = time.perf_counter() - started
            if report.errors:
                print(f"L'import a refusé le fichier : {report.errors[:3]}")
                return
            if args.reimport:
                started = time.perf_counter()
                report_again = directory_import(format="hsds", path_or_files=path)
                reimport_seconds = time.perf_counter() - started

            copy_seconds = copy_floor(hsds.DEFAULT_SOURCE) if connection.vendor == "postgresql" else None
            started = time.perf_counter()
            floor(services)
            floor_seconds = time.perf_counter() - started
        assert Service.objects.count() == (3 if copy_seconds else 2) * args.n
        engine = connection.vendor
        print(f"Base : {engine}")
        print(
            f"import_directory (création)   : {import_seconds:7.1f} s  {args.n / import_seconds:8.0f} services/s"
            f"  ({report.created} créés, {report.audit_lines} lignes d'audit)"
        )
        if args.reimport:
            rate = args.n / reimport_seconds
            print(
                f"import_directory (mise à jour): {reimport_seconds:7.1f} s  {rate:8.0f} services/s"
                f"  ({report_again.updated} mis à jour, {report_again.unchanged} inchangés)"
            )
        if copy_seconds:
            print(f"plancher (COPY nu)            : {copy_seconds:7.1f} s  {args.n / copy_seconds:8.0f} services/s")
        print(f"plancher (bulk_create)        : {floor_seconds:7.1f} s  {args.n / floor_seconds:8.0f} services/s")
        if copy_seconds:
            print(f"rapport import / COPY nu      : {import_seconds / copy_seconds:.2f}×")
        print(f"rapport import / bulk_create  : {import_seconds / floor_seconds:.2f}×")
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(settings_dict["TEST"]["NAME"], verbosity=0, keepdb=False)


if __name__ == "__main__":
    main()
