"""Benchmark: finding a person and opening their file, at département scale.

    python bench/people_search.py [--persons N] [--organisations K] [--queries Q] [--keep]

Builds (or reuses with --keep) a separate database `test_<name>_bench` from DATABASE_URL, with N
synthetic persons (default 1,000,000 on PostgreSQL, 100,000 on SQLite) spread over K organisations
(default 200), each with an address and a phone; then times, through the real views and the
access policy, the search box (p50/p95 over Q queries) and the person's page, each beside the
floor measured in the same run (the bare SQL of the same lookup), as a ratio. Prints figures; never
fails on timing.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maillage.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from faker import Faker  # noqa: E402


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def timed(function, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return times


def generate(persons: int, organisations: int):
    from maillage.core.enums import OrganisationKind, Role
    from maillage.core.models import Commune, Membership, Organisation, User
    from maillage.core.territories import load_territories, read_extract
    from maillage.people import normalise
    from maillage.people.models import Person, PersonAddress, PersonPhone

    if not Commune.objects.exists():
        load_territories(read_extract(), departement_codes={"21"})
    communes = list(Commune.objects.values_list("pk", "postal_codes"))
    orgs = Organisation.objects.bulk_create(
        [Organisation(name=f"CCAS banc {i}", kind=OrganisationKind.CCAS) for i in range(organisations)]
    )
    user = User.objects.create_user(email="banc@exemple.fr", password="x", first_name="Banc", last_name="Essai")
    Membership.objects.create(user=user, organisation=orgs[0], role=Role.COORDINATOR)
    fake = Faker("fr_FR")
    fake.seed_instance(1)
    rng = random.Random(1)  # noqa: S311
    last_names = [fake.last_name() for _ in range(5000)]
    first_names = [fake.first_name() for _ in range(800)]
    batch = 20_000
    start = time.perf_counter()
    for offset in range(0, persons, batch):
        rows = []
        for i in range(offset, min(persons, offset + batch)):
            last, first = rng.choice(last_names), rng.choice(first_names)
            rows.append(
                Person(
                    organisation=orgs[i % organisations],
                    last_name=last,
                    first_names=first,
                    search_names=normalise.names(last, "", first),
                    birth_date=fake.date_between(start_date="-100y", end_date="-60y"),
                )
            )
        created = Person.objects.bulk_create(rows, batch_size=5000)
        addresses, phones = [], []
        for person in created:
            commune_pk, postal = rng.choice(communes)
            addresses.append(
                PersonAddress(
                    person=person, line="1 rue du Banc", commune_id=commune_pk, postal_code=(postal or [""])[0]
                )
            )
            number = f"+333{rng.randint(10000000, 99999999)}"
            phones.append(PersonPhone(person=person, number=number, digits=normalise.phone_digits(number)))
        PersonAddress.objects.bulk_create(addresses, batch_size=5000)
        PersonPhone.objects.bulk_create(phones, batch_size=5000)
        print(f"  {offset + len(rows):>9} personnes générées ({time.perf_counter() - start:.0f} s)", flush=True)
    return user, orgs[0]


def _template_row(model, **values):
    """The database values of one valid row of `model`, to copy many times with a few changes."""
    obj = model(**values)
    obj.full_clean(validate_unique=False, validate_constraints=False)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    return fields, {f.column: f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields}


def generate_events(per_person: int, organisations: int):
    """`per_person` timeline events per person (half requests, half contacts), written with COPY on
    PostgreSQL and executemany on SQLite."""
    import datetime

    from django.utils import timezone

    from maillage.casework.models import Contact, Request
    from maillage.core.models import User
    from maillage.people.models import Person

    user = User.objects.get(email="banc@exemple.fr")
    first = Person.objects.select_related("organisation").first()
    request_fields, request_row = _template_row(
        Request,
        organisation=first.organisation,
        person=first,
        requester_kind="person",
        channel="phone",
        level=1,
        outcome="answered",
        handled_by=user,
        time_spent_minutes=10,
    )
    contact_fields, contact_row = _template_row(
        Contact,
        organisation=first.organisation,
        person=first,
        kind="phone_in",
        summary="Appel de suivi.",
        author=user,
        duration_minutes=10,
    )
    now = timezone.now()
    persons = list(Person.objects.values_list("pk", "organisation_id").order_by("pk"))
    rng = random.Random(3)  # noqa: S311
    start = time.perf_counter()

    def rows(kind):
        fields, template = (request_fields, request_row) if kind == "request" else (contact_fields, contact_row)
        date_column = "received_at" if kind == "request" else "occurred_at"
        for pk, organisation_id in persons:
            for _ in range(per_person // 2):
                row = dict(template)
                row["person_id"], row["organisation_id"] = pk, organisation_id
                moment = now - datetime.timedelta(minutes=rng.randint(1, 60 * 24 * 365 * 5))
                row[date_column] = row["created_at"] = moment
                yield [row[f.column] for f in fields]

    for model, kind, fields in ((Request, "request", request_fields), (Contact, "contact", contact_fields)):
        table, columns = model._meta.db_table, [f.column for f in fields]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows(kind):
                        copy.write_row(row)
            else:
                sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
                batch = []
                for row in rows(kind):
                    batch.append(row)
                    if len(batch) == 50_000:
                        cursor.executemany(sql, batch)
                        batch = []
                if batch:
                    cursor.executemany(sql, batch)
        print(f"  {model._meta.verbose_name_plural} écrites ({time.perf_counter() - start:.0f} s)", flush=True)


def main():
    parser = argparse.ArgumentParser()
    default_persons = 1_000_000 if connection.vendor == "postgresql" else 100_000
    parser.add_argument("--persons", type=int, default=default_persons)
    parser.add_argument("--organisations", type=int, default=200)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--events-per-person", type=int, default=20, help="Événements de chronologie par personne.")
    parser.add_argument("--keep", action="store_true", help="Réutiliser la base de banc existante.")
    args = parser.parse_args()

    setup_test_environment()
    connection.settings_dict["TEST"]["NAME"] = None
    base = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(Path(base).with_name("bench.sqlite3"))
    else:
        connection.settings_dict["TEST"]["NAME"] = f"test_{base}_bench"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.keep, serialize=False)

    from maillage.core.models import User
    from maillage.people.models import Person

    print(f"Base : {connection.vendor}, {connection.settings_dict['NAME']}")
    if Person.objects.count() < args.persons:
        Person.objects.all().delete()
        print(f"Génération de {args.persons} personnes sur {args.organisations} structures…")
        user, organisation = generate(args.persons, args.organisations)
        print(f"Génération de {args.persons * args.events_per_person} événements de chronologie…")
        generate_events(args.events_per_person, args.organisations)
    else:
        user = User.objects.get(email="banc@exemple.fr")
        organisation = user.memberships.get().organisation
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")

    from tests.conftest import login_verified

    client = Client()
    login_verified(client, user)
    sample = list(
        Person.objects.filter(organisation=organisation).values_list("pk", "last_name", "first_names")[:2000]
    )
    rng = random.Random(2)  # noqa: S311
    queries = []
    for _ in range(args.queries):
        pk, last, first = rng.choice(sample)
        queries.append(rng.choice([last[:4], f"{first} {last}", last.lower(), f"{last[:3]}"]))

    from maillage.people import normalise

    def view(q):
        response = client.get("/personnes/", {"q": q}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200

    def floor(q):
        words = normalise.text(q).split()
        sql = "SELECT id FROM people_person WHERE organisation_id = %s"
        params = [organisation.pk]
        for word in words:
            sql += " AND (search_names LIKE %s OR search_names LIKE %s)"
            params += [word + "%", "% " + word + "%"]
        with connection.cursor() as cursor:
            cursor.execute(sql + " ORDER BY last_name LIMIT 30", params)
            cursor.fetchall()

    view(queries[0])
    search_view = [timed(lambda q=q: view(q), 1)[0] for q in queries]
    search_floor = [timed(lambda q=q: floor(q), 1)[0] for q in queries]
    pks = [pk for pk, *_ in rng.sample(sample, min(len(sample), args.queries))]

    def page(pk):
        assert client.get(f"/personnes/{pk}/").status_code == 200

    def page_floor(pk):
        # The file's header and its last 50 events, in bare SQL.
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM people_person WHERE id = %s", [pk])
            cursor.fetchall()
            cursor.execute("SELECT * FROM people_personaddress WHERE person_id = %s", [pk])
            cursor.fetchall()
            cursor.execute("SELECT * FROM people_personphone WHERE person_id = %s", [pk])
            cursor.fetchall()
            cursor.execute(
                "SELECT id, received_at FROM casework_request WHERE person_id = %s ORDER BY received_at DESC LIMIT 50",
                [pk],
            )
            cursor.fetchall()
            cursor.execute(
                "SELECT id, occurred_at FROM casework_contact WHERE person_id = %s ORDER BY occurred_at DESC LIMIT 50",
                [pk],
            )
            cursor.fetchall()

    page_view = [timed(lambda pk=pk: page(pk), 1)[0] for pk in pks]
    page_sql = [timed(lambda pk=pk: page_floor(pk), 1)[0] for pk in pks]

    from maillage.casework.models import Contact, Request

    total = Person.objects.count()
    events = Request.objects.count() + Contact.objects.count()
    print(f"\n{events} événements de chronologie")
    print(f"{total} personnes, {args.queries} recherches, {len(pks)} fiches ouvertes ({connection.vendor})")
    for label, measured, bare in (
        ("recherche (vue réelle)", search_view, search_floor),
        ("fiche de la personne", page_view, page_sql),
    ):
        p50, p95 = statistics.median(measured), percentile(measured, 95)
        f50, f95 = statistics.median(bare), percentile(bare, 95)
        print(
            f"{label:<26} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms | plancher SQL p50 {f50:6.2f} ms p95 {f95:6.2f} ms"
            f" | rapport p95 {p95 / max(f95, 0.001):6.1f}"
        )
    if not args.keep:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0, keepdb=False)


if __name__ == "__main__":
    main()
