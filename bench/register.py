"""Benchmark: a heatwave on a large city's register (issue 13, « Sizes and speed »).

    python bench/register.py [--persons N] [--callers K] [--clients C] [--per-client R] [--keep]

Builds (or reuses with --keep) a separate database `test_<name>_bench_register` from DATABASE_URL with
N persons on one CCAS's register (default 20,000; Faker fr_FR names, real communes of Ille-et-Vilaine
from the loaded territories, a phone each; some in Arabic or Portuguese, some known by a caller, some
sponsored, some reached in an earlier campaign) and K callers (default 300), then times:

1. building and dispatching a campaign for all of them (`campaign_create` + `campaign_open`, the real
   services: sponsor, last caller, a caller who knows, fair share, languages) — target < 5 s on
   PostgreSQL;
2. the caller's next call with C callers asking at once (default 100 threads on PostgreSQL, each with
   its own connection, at most as many at once as the server has connections free; 20 on SQLite,
   whose writers queue), each asking R times and recording an outcome after each: p50/p95 of
   `next_call`, first among the calls dispatched to each, then from the shared pool (a campaign
   nobody was dispatched, SKIP LOCKED) — target p95 < 50 ms; and the same through the API
   (`POST /api/v1/campaigns/{id}/next-call`, one client, the sheet and its access log included);
3. the crisis dashboard's refresh: calls by state × commune and by state × caller, and the open
   alerts — target < 200 ms. (Measured on an aggregate written here until the dashboard's own
   selector is on main.)

Each beside the floor measured in the same run — the bare SQL doing the same work (the same
inserts and a round-robin update; the same index lookup under the same concurrency; the same
GROUP BY) — as a ratio. Checks that the timed work found what it should (every call given once,
every call assigned but the ones no caller's language fits, the dashboard's totals). Prints
figures; never fails on timing.
"""

import argparse
import os
import random
import statistics
import sys
import threading
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

MANAGER_EMAIL = "gestionnaire-banc@exemple.fr"


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def ms(start):
    return (time.perf_counter() - start) * 1000


def generate(persons: int, callers: int):
    import datetime

    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from maillage.core.enums import OrganisationKind, Role
    from maillage.core.models import Commune, Membership, Organisation, User
    from maillage.core.territories import load_territories, read_extract
    from maillage.people import normalise
    from maillage.people.models import Person, PersonAddress, PersonPhone
    from maillage.register.enums import CallStatus, CampaignStatus, EntrySource, EntryStatus, LegalCategory, Outcome
    from maillage.register.models import Call, CallCampaign, RegisterEntry, Sponsorship

    if not Commune.objects.filter(departement__code="35").exists():
        load_territories(read_extract(), departement_codes={"35"})
    communes = list(Commune.objects.filter(departement__code="35").values_list("pk", "postal_codes"))
    # A large city and its neighbours: half the persons in the first communes.
    rennes = list(
        Commune.objects.filter(code__in=["35238", "35047", "35281", "35051", "35206"]).values_list(
            "pk", "postal_codes"
        )
    )
    organisation = Organisation.objects.create(name="CCAS de Rennes (banc)", kind=OrganisationKind.CCAS)
    password = make_password("Un-mot-de-passe-solide-1")
    manager = User.objects.create(email=MANAGER_EMAIL, first_name="Gestion", last_name="Banc", password=password)
    Membership.objects.create(user=manager, organisation=organisation, role=Role.REGISTER_MANAGER)
    fake = Faker("fr_FR")
    fake.seed_instance(1)
    rng = random.Random(1)  # noqa: S311
    users = User.objects.bulk_create(
        [
            User(
                email=f"appelant{i}@exemple.fr",
                first_name=fake.first_name(),
                last_name=fake.last_name(),
                password=password,
            )
            for i in range(callers)
        ]
    )
    Membership.objects.bulk_create([Membership(user=u, organisation=organisation, role=Role.VOLUNTEER) for u in users])
    # Callers with the charter in force signed, speaking French only (volunteers module).
    from maillage.volunteers import charter
    from maillage.volunteers.models import CallerProfile

    signed_at = timezone.now()
    CallerProfile.objects.bulk_create(
        [
            CallerProfile(
                user=u, organisation=organisation, charter_signed_at=signed_at, charter_version=charter.VERSION
            )
            for u in [manager, *users]
        ]
    )
    last_names = [fake.last_name() for _ in range(3000)]
    first_names = [fake.first_name() for _ in range(600)]
    start = time.perf_counter()
    people = Person.objects.bulk_create(
        [
            Person(
                organisation=organisation,
                last_name=(last := rng.choice(last_names)),
                first_names=(first := rng.choice(first_names)),
                search_names=normalise.names(last, "", first),
                birth_date=fake.date_between(
                    start_date=datetime.date(1925, 1, 1), end_date=datetime.date(1958, 12, 31)
                ),
            )
            for _ in range(persons)
        ],
        batch_size=5000,
    )
    addresses, phones = [], []
    for i, person in enumerate(people):
        commune_pk, postal = rng.choice(rennes if i % 2 and rennes else communes)
        addresses.append(
            PersonAddress(
                person=person, line=fake.street_address(), commune_id=commune_pk, postal_code=(postal or [""])[0]
            )
        )
        number = f"+332{rng.randint(10000000, 99999999)}"
        phones.append(PersonPhone(person=person, number=number, digits=normalise.phone_digits(number)))
    PersonAddress.objects.bulk_create(addresses, batch_size=5000)
    PersonPhone.objects.bulk_create(phones, batch_size=5000)
    today = timezone.localdate()
    entries = RegisterEntry.objects.bulk_create(
        [
            RegisterEntry(
                organisation=organisation,
                person=person,
                status=EntryStatus.ACTIVE,
                source=EntrySource.SELF,
                legal_category=LegalCategory.AGED_65,
                priority=1 if rng.random() < 0.2 else 2,
                language="ar" if rng.random() < 0.02 else ("pt" if rng.random() < 0.01 else ""),
                activated_on=today,
                confirmed_on=today,
            )
            for person in people
        ],
        batch_size=5000,
    )
    through = RegisterEntry.known_by_callers.through
    through.objects.bulk_create(
        [through(registerentry_id=e.pk, user_id=rng.choice(users).pk) for e in entries if rng.random() < 0.05],
        batch_size=5000,
    )
    Sponsorship.objects.bulk_create(
        [
            Sponsorship(organisation=organisation, entry=e, volunteer=rng.choice(users))
            for e in entries
            if rng.random() < 0.01
        ]
    )
    # An earlier campaign, closed: a tenth of the persons reached by some caller.
    earlier = CallCampaign.objects.create(
        organisation=organisation, title="Campagne de l'an dernier", status=CampaignStatus.CLOSED
    )
    now = timezone.now()
    Call.objects.bulk_create(
        [
            Call(
                campaign=earlier,
                entry=e,
                person_id=e.person_id,
                purpose="evaluation",
                status=CallStatus.DONE,
                outcome=Outcome.REACHED_FINE,
                outcome_by=(u := rng.choice(users)),
                assigned_to=u,
                outcome_at=now - datetime.timedelta(days=rng.randint(30, 300)),
                attempts=1,
            )
            for e in entries
            if rng.random() < 0.1
        ],
        batch_size=5000,
    )
    print(f"  {persons} personnes inscrites et {callers} appelants générés ({time.perf_counter() - start:.0f} s)")
    return organisation, manager, users


def free_connections(wanted: int) -> int:
    if connection.vendor != "postgresql":
        return wanted
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int "
            "- (SELECT count(*) FROM pg_stat_activity)"
        )
        return max(2, min(wanted, cursor.fetchone()[0] - 8))


def concurrently(clients: int, work):
    """`work(i)` in `clients` threads released together; returns their results, re-raising errors."""
    barrier = threading.Barrier(clients)
    results, errors = [None] * clients, []

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except BaseException as error:  # noqa: BLE001 — re-raised below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


def main():  # noqa: C901 — one script, read top to bottom
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--callers", type=int, default=300)
    # SQLite serves its writers one after the other, each waiting at most its busy timeout (5 s): 20 at once.
    parser.add_argument(
        "--clients",
        type=int,
        default=100 if connection.vendor == "postgresql" else 20,
        help="Appelants qui demandent leur appel en même temps (100 sur PostgreSQL, 20 sur SQLite).",
    )
    parser.add_argument("--per-client", type=int, default=20, help="Appels demandés par chacun.")
    parser.add_argument("--keep", action="store_true", help="Réutiliser la base de banc existante.")
    args = parser.parse_args()

    setup_test_environment()
    base = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(Path(base).with_name("bench_register.sqlite3"))
    else:
        connection.settings_dict["TEST"]["NAME"] = f"test_{base}_bench_register"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.keep, serialize=False)

    from django.db.models import Count
    from django.utils import timezone

    from maillage.core.models import User
    from maillage.register.enums import CallStatus, CampaignStatus, Outcome
    from maillage.register.models import Call, CallCampaign, Escalation, RegisterEntry
    from maillage.register.services import calls, campaigns

    print(f"Base : {connection.vendor}, {connection.settings_dict['NAME']}")
    if RegisterEntry.objects.count() < args.persons:
        print(f"Génération d'un registre de {args.persons} personnes et {args.callers} appelants…")
        organisation, manager, callers = generate(args.persons, args.callers)
    else:
        manager = User.objects.get(email=MANAGER_EMAIL)
        organisation = manager.memberships.get().organisation
        callers = list(User.objects.filter(memberships__organisation=organisation, memberships__role="volunteer"))
        CallCampaign.objects.filter(organisation=organisation).exclude(status=CampaignStatus.CLOSED).delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    entries = RegisterEntry.objects.filter(organisation=organisation, status="active").count()
    figures = []

    # 1. Build and dispatch a campaign for everyone.
    start = time.perf_counter()
    campaign = campaigns.campaign_create(
        actor=manager, organisation=organisation, title="Canicule (banc)", callers=callers
    )
    campaign = campaigns.campaign_open(actor=manager, campaign=campaign)
    dispatch_ms = ms(start)
    total = campaign.calls.count()
    unassigned = campaign.calls.filter(assigned_to__isnull=True)
    assert total == entries, (total, entries)
    # Only calls in a language none of the callers speaks (no volunteers' profiles here) stay in the pool.
    assert set(unassigned.values_list("entry__language", flat=True)) <= {"ar", "pt"}
    assert not campaign.calls.filter(entry__language="", assigned_to__isnull=True).exists()
    loads = list(
        campaign.calls.values("assigned_to")
        .exclude(assigned_to=None)
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
    )
    print(
        f"\nRépartition : {total} appels, {total - unassigned.count()} attribués à {len(loads)} appelants "
        f"({min(loads)} à {max(loads)} chacun), {unassigned.count()} en réserve (langue)"
    )

    floor_campaign = CallCampaign.objects.create(organisation=organisation, title="Plancher", status="open")
    caller_ids = sorted(u.pk for u in callers)
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO register_call (campaign_id, entry_id, person_id, purpose, status, due_at, attempts, needs, "
            "fragility_answers, note, outcome, created_at, version) SELECT %s, id, person_id, 'evaluation', 'to_do', "
            "%s, 0, '[]', '{}', '', '', %s, 1 FROM register_registerentry "
            "WHERE organisation_id = %s AND status = 'active'",
            [floor_campaign.pk, timezone.now(), timezone.now(), organisation.pk],
        )
        cursor.execute(
            "UPDATE register_call SET assigned_to_id = r.user_id, status = 'assigned' FROM ("
            "SELECT c.id AS call_id, u.user_id FROM (SELECT id, (row_number() OVER (ORDER BY id)) %% %s AS k "
            "FROM register_call WHERE campaign_id = %s) c "
            "JOIN (SELECT user_id, (row_number() OVER (ORDER BY user_id)) %% %s AS k FROM core_membership "
            "WHERE organisation_id = %s AND role = 'volunteer') u ON u.k = c.k) r "
            "WHERE register_call.id = r.call_id",
            [len(caller_ids), floor_campaign.pk, len(caller_ids), organisation.pk],
        )
    dispatch_floor = ms(start)
    assert floor_campaign.calls.filter(assigned_to__isnull=False).count() == total
    floor_campaign.status = CampaignStatus.CLOSED  # kept: deleting 20,000 audited calls is slow, and untimed
    floor_campaign.save()
    figures.append(("répartition d'une campagne (création + ouverture)", dispatch_ms, dispatch_floor, "ms", 5000))

    # 2. next_call under concurrency: dispatched calls, then the shared pool.
    clients = free_connections(min(args.clients, len(callers)))
    if clients < args.clients:
        print(f"(next-call : {clients} appelants à la fois, les connexions libres du serveur)")

    def run_next_calls(campaign, label):
        def work(i):
            caller = callers[i]
            times, given = [], []
            for _ in range(args.per_client):
                start = time.perf_counter()
                call = campaigns.next_call(caller=caller, campaign=campaign)
                times.append(ms(start))
                if call is None:
                    break
                given.append(call.pk)
                calls.call_record_outcome(actor=caller, call=call, outcome=Outcome.REACHED_FINE)
            return times, given

        results = concurrently(clients, work)
        times = [t for r in results for t in r[0]]
        given = [pk for r in results for pk in r[1]]
        assert len(given) == len(set(given)), "un appel donné à deux appelants"
        assert len(given) == clients * args.per_client, (len(given), "des appelants sont restés sans appel")
        return times

    def run_floor(campaign):
        now = timezone.now()

        def work(i):
            caller = callers[i]
            times = []
            for _ in range(args.per_client):
                start = time.perf_counter()
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT id FROM register_call WHERE campaign_id = %s AND assigned_to_id = %s AND status IN "
                        "('assigned', 'retry') AND due_at <= %s ORDER BY due_at, id LIMIT 1",
                        [campaign.pk, caller.pk, now],
                    )
                    cursor.fetchone()
                times.append(ms(start))
            return times

        return [t for r in concurrently(clients, work) for t in r]

    own = run_next_calls(campaign, "own")
    own_floor = run_floor(campaign)
    figures.append(
        (
            f"next-call, appels répartis, {clients} à la fois (p95)",
            percentile(own, 95),
            percentile(own_floor, 95),
            "ms",
            50,
        )
    )

    pool_campaign = campaigns.campaign_create(
        actor=manager, organisation=organisation, title="Réserve (banc)", selection={"priority": 1}
    )
    pool_campaign = campaigns.campaign_open(actor=manager, campaign=pool_campaign)  # nobody: all in the pool
    campaigns.campaign_set_callers(actor=manager, campaign=pool_campaign, callers=callers)
    pool = run_next_calls(pool_campaign, "pool")

    def pool_floor(i):
        times = []
        for _ in range(args.per_client):
            start = time.perf_counter()
            with connection.cursor() as cursor:
                sql = (
                    "SELECT register_call.id FROM register_call JOIN register_registerentry e ON e.id = entry_id "
                    "WHERE campaign_id = %s AND register_call.status = 'to_do' AND assigned_to_id IS NULL "
                    "ORDER BY e.priority, due_at, register_call.id LIMIT 1"
                )
                if connection.vendor == "postgresql":
                    sql += " FOR UPDATE OF register_call SKIP LOCKED"
                cursor.execute(sql, [pool_campaign.pk])
                cursor.fetchone()
            times.append(ms(start))
        return times

    pool_sql = [t for r in concurrently(clients, pool_floor) for t in r]
    figures.append(
        (
            f"next-call, réserve commune, {clients} à la fois (p95)",
            percentile(pool, 95),
            percentile(pool_sql, 95),
            "ms",
            50,
        )
    )

    client = Client()
    from tests.conftest import login_verified

    caller = callers[-1]
    login_verified(client, caller)
    api = []
    for _ in range(args.per_client):
        start = time.perf_counter()
        response = client.post(f"/api/v1/campaigns/{campaign.pk}/next-call")
        api.append(ms(start))
        assert response.status_code in (200, 204), response.content[:300]
        if response.status_code == 204:
            break
        calls.call_record_outcome(
            actor=caller, call=Call.objects.get(pk=response.json()["id"]), outcome=Outcome.REACHED_FINE
        )
    # The floor of one client alone: the same index lookup, not under the 100 clients' contention.
    single_floor = []
    for _ in range(len(api)):
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM register_call WHERE campaign_id = %s AND assigned_to_id = %s AND status IN "
                "('assigned', 'retry') AND due_at <= %s ORDER BY due_at, id LIMIT 1",
                [campaign.pk, caller.pk, timezone.now()],
            )
            cursor.fetchone()
        single_floor.append(ms(start))
    figures.append(
        ("next-call par l'API, un client (p95)", percentile(api, 95), percentile(single_floor, 95), "ms", 50)
    )

    # 3. The crisis dashboard's refresh.
    for call in list(campaign.calls.filter(status=CallStatus.ASSIGNED).select_related("assigned_to")[:30]):
        calls.call_record_outcome(actor=call.assigned_to, call=call, outcome=Outcome.UNREACHABLE)

    def dashboard():
        base = Call.objects.filter(campaign=campaign)
        by_commune = list(
            base.filter(person__addresses__is_current=True)
            .values("status", "outcome", "person__addresses__commune__name")
            .annotate(n=Count("pk"))
            .order_by()
        )
        by_caller = list(base.values("status", "outcome", "assigned_to").annotate(n=Count("pk")).order_by())
        alerts = Escalation.objects.filter(call__campaign=campaign, handled_at__isnull=True).count()
        return by_commune, by_caller, alerts

    def dashboard_sql():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.status, c.outcome, m.name, count(*) FROM register_call c JOIN people_personaddress a ON "
                "a.person_id = c.person_id AND a.is_current JOIN core_commune m ON m.id = a.commune_id "
                "WHERE c.campaign_id = %s GROUP BY 1, 2, 3",
                [campaign.pk],
            )
            cursor.fetchall()
            cursor.execute(
                "SELECT status, outcome, assigned_to_id, count(*) FROM register_call WHERE campaign_id = %s "
                "GROUP BY 1, 2, 3",
                [campaign.pk],
            )
            cursor.fetchall()
            cursor.execute(
                "SELECT count(*) FROM register_escalation e JOIN register_call c ON c.id = e.call_id "
                "WHERE c.campaign_id = %s AND e.handled_at IS NULL",
                [campaign.pk],
            )
            cursor.fetchall()

    by_commune, by_caller, alerts = dashboard()
    assert sum(row["n"] for row in by_commune) == total and sum(row["n"] for row in by_caller) == total
    assert alerts == 30
    done = sum(row["n"] for row in by_caller if row["status"] == "done")
    communes_seen = len({row["person__addresses__commune__name"] for row in by_commune})
    print(f"Tableau de bord : {total} appels, {done} terminés, {alerts} alertes, {communes_seen} communes")
    board = []
    board_sql = []
    for _ in range(20):
        start = time.perf_counter()
        dashboard()
        board.append(ms(start))
        start = time.perf_counter()
        dashboard_sql()
        board_sql.append(ms(start))
    figures.append(
        ("tableau de bord de crise (p95 sur 20)", percentile(board, 95), percentile(board_sql, 95), "ms", 200)
    )

    print(f"\n{args.persons} personnes, {len(callers)} appelants ({connection.vendor})")
    for label, value, floor, unit, target in figures:
        print(
            f"{label:<52} {value:9.1f} {unit} | plancher SQL {floor:8.2f} {unit} "
            f"| rapport {value / max(floor, 0.001):6.1f} | cible < {target} {unit}"
        )
    p50 = (statistics.median(own), statistics.median(pool), statistics.median(api))
    print("(next-call p50 : répartis {:.1f} ms, réserve {:.1f} ms, API {:.1f} ms)".format(*p50))
    if not args.keep:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0, keepdb=False)


if __name__ == "__main__":
    main()
