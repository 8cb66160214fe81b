"""Benchmark: importing a département-size directory from an HSDS file.

    python bench/directory_import.py [--n N] [--keep]

Builds a separate database `test_<name>_bench_import` from DATABASE_URL, loads the communes of
Côte-d'Or, writes a nested HSDS 3 JSON file of N services (default 50,000) over N/250
organisations and N/2 places, each service with a phone, two opening spans, two taxonomy terms
and a commune served; then times `directory_import` on it (reading, validation, writing) and, as
the floor, a bare bulk insert of the same rows (no reading, no validation) in the same database.
Prints services per second for both and the ratio (--reimport: also a second, updating import). Never fails on timing.
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

            started = time.perf_counter()
            floor(services)
            floor_seconds = time.perf_counter() - started
        assert Service.objects.count() == 2 * args.n
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
        print(f"plancher (bulk_create nu)     : {floor_seconds:7.1f} s  {args.n / floor_seconds:8.0f} services/s")
        print(f"rapport import / plancher     : {import_seconds / floor_seconds:.1f}×")
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(settings_dict["TEST"]["NAME"], verbosity=0, keepdb=False)


if __name__ == "__main__":
    main()
