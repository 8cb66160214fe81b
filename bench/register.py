"""Benchmark: a heatwave on a large city's register (issue 13, « Sizes and speed »).

    python bench/register.py [--persons N] [--callers K] [--clients C] [--per-client R] [--pool P] [--keep]

Builds (or reuses with --keep) a separate database `test_<name>_bench_register` from DATABASE_URL with
N persons on one CCAS's register (default 20,000; Faker fr_FR names, real communes of Ille-et-Vilaine
from the loaded territories, a phone each; some in Arabic or Portuguese, some known by a caller, some
sponsored, some reached in an earlier campaign) and K callers (default 300), then times:

1. building and dispatching a campaign for all of them (`campaign_create` + `campaign_open`, the real
   services: sponsor, last caller, a caller who knows, fair share, languages) — target < 5 s on
   PostgreSQL;
2. the caller's next call with C callers asking at once (default 100 threads on PostgreSQL sharing
   a pool of P connections, default 20 — as a web process's threads share theirs, `DATABASE_POOL_SIZE`
   —, each taking a connection for one call and its outcome and giving it back, the wait for it timed;
   20 on SQLite, whose writers queue), each asking R times and recording an outcome after each:
   p50/p95 of `next_call`, first among the calls dispatched to each, then from the shared pool (a
   campaign nobody was dispatched, SKIP LOCKED) — target p95 < 50 ms; and the same through the API
   (`POST /api/v1/campaigns/{id}/next-call`, one client, the sheet and its access log included);
   and the same C callers at the pace of a campaign: each talks (--talk MIN MAX seconds, 5 to 15 by
   default — real calls last minutes, so this is many times busier than a real campaign) between a
   next call and its outcome. All at once measures the queue of one process on this machine (p95 ≈
   callers ÷ throughput); at the pace of calls measures what a caller waits;
3. the crisis dashboard's refresh, as its view runs it: `register.crises_selectors.crisis_dashboard`
   (totals, by commune, by caller, the campaigns) and `open_escalations` (the open alerts) of the
   crisis the campaigns belong to — target < 200 ms.

Each beside the floor measured in the same run — the bare SQL doing the same work (the same
inserts and a round-robin update; the same index lookup under the same concurrency and the same
pool; the dashboard's own SQL statements, captured from the selector and run bare) — as a ratio.
Checks that the timed work found what it should (every call given once, every call assigned but
the ones no caller's language fits, each sheet given by the API with its access line, the
dashboard's totals, communes, callers and alerts). Prints figures; never fails on timing.
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

from django.db import connection, transaction  # noqa: E402
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

    connection.close()  # the main thread's connection, given back to the pool while the clients work
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
    parser.add_argument(
        "--pool",
        type=int,
        default=20,
        help="PostgreSQL : connexions que les appelants se partagent (0 : une connexion chacun).",
    )
    parser.add_argument(
        "--talk",
        type=float,
        nargs=2,
        default=(5.0, 15.0),
        metavar=("MIN", "MAX"),
        help="Durée simulée d'un appel, en secondes, tirée entre MIN et MAX (les vrais durent plusieurs minutes).",
    )
    parser.add_argument(
        "--paced-calls", type=int, default=4, help="Appels de chacun dans la mesure au rythme des appels."
    )
    parser.add_argument("--keep", action="store_true", help="Réutiliser la base de banc existante.")
    args = parser.parse_args()

    setup_test_environment()
    base = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(Path(base).with_name("bench_register.sqlite3"))
    else:
        connection.settings_dict["TEST"]["NAME"] = f"test_{base}_bench_register"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.keep, serialize=False)
    pooled = connection.vendor == "postgresql" and args.pool > 0
    if pooled:
        # The threads share a pool of connections, each taking one for a call and its outcome (a
        # request's work) and giving it back (`release`), as a web process's threads do with
        # DATABASE_POOL_SIZE; at most as many as the server has free.
        size = free_connections(args.pool)
        connection.close()
        connection.settings_dict["CONN_MAX_AGE"] = 0
        connection.settings_dict["OPTIONS"] = {
            **connection.settings_dict.get("OPTIONS", {}),
            "pool": {"min_size": size, "max_size": size, "timeout": 60},
        }

    from django.db.models import Count
    from django.utils import timezone

    from maillage.core import access
    from maillage.core.models import AuditLogEntry, User
    from maillage.register import crises_selectors
    from maillage.register.enums import CallStatus, CampaignStatus, CrisisKind, Outcome
    from maillage.register.models import Call, CallCampaign, Crisis, RegisterEntry
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
        Crisis.objects.filter(organisation=organisation, ended_at__isnull=True).update(ended_at=timezone.now())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    entries = RegisterEntry.objects.filter(organisation=organisation, status="active").count()
    crisis = Crisis.objects.create(
        organisation=organisation, kind=CrisisKind.HEATWAVE, title="Canicule (banc)", activated_by=manager
    )
    figures = []

    # 1. Build and dispatch a campaign for everyone.
    start = time.perf_counter()
    campaign = campaigns.campaign_create(
        actor=manager, organisation=organisation, title="Canicule (banc)", callers=callers, crisis=crisis
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
    clients = min(args.clients, len(callers)) if pooled else free_connections(min(args.clients, len(callers)))
    if clients < args.clients:
        print(f"(next-call : {clients} appelants à la fois, les connexions libres du serveur)")
    if pooled:
        print(f"(next-call : {clients} appelants à la fois partagent {size} connexions)")

    def release():
        """The end of a request: its connection goes back to the pool (kept otherwise)."""
        if pooled:
            connection.close()

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
                release()
            return times, given

        start = time.perf_counter()
        results = concurrently(clients, work)
        elapsed = time.perf_counter() - start
        times = [t for r in results for t in r[0]]
        given = [pk for r in results for pk in r[1]]
        assert len(given) == len(set(given)), "un appel donné à deux appelants"
        assert len(given) == clients * args.per_client, (len(given), "des appelants sont restés sans appel")
        # All ask at once and again as soon as answered: the wait is the queue of the others' work,
        # so the throughput says what one process serves.
        print(
            f"next-call ({label}) : {len(given)} appels donnés et leurs issues en {elapsed:.1f} s, "
            f"{len(given) / elapsed:.0f} par seconde pour un processus"
        )
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
                release()
            return times

        return [t for r in concurrently(clients, work) for t in r]

    own = run_next_calls(campaign, "appels répartis")
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

    # 2b. The same callers at the pace of a campaign: each talks between two calls (--talk, seconds;
    # a real call lasts minutes, so this is a campaign many times busier than a real one), then records
    # the outcome and asks for the next. The callers start spread over one talk, as a morning's shift.
    low, high = args.talk

    def paced(lookup):
        def work(i):
            rng = random.Random(i)
            time.sleep(rng.uniform(0, high))
            times, given = [], []
            for _ in range(args.paced_calls):
                start = time.perf_counter()
                call = lookup(callers[i])
                times.append(ms(start))
                release()
                time.sleep(rng.uniform(low, high))
                if call is not None and not isinstance(call, int):
                    given.append(call.pk)
                    calls.call_record_outcome(actor=callers[i], call=call, outcome=Outcome.REACHED_FINE)
                    release()
            return times, given

        start = time.perf_counter()
        results = concurrently(clients, work)
        return [t for r in results for t in r[0]], [pk for r in results for pk in r[1]], time.perf_counter() - start

    def bare_lookup(caller):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM register_call WHERE campaign_id = %s AND assigned_to_id = %s AND status IN "
                "('assigned', 'retry') AND due_at <= %s ORDER BY due_at, id LIMIT 1",
                [campaign.pk, caller.pk, timezone.now()],
            )
            row = cursor.fetchone()
        return row[0] if row else 0

    paced_times, paced_given, paced_elapsed = paced(
        lambda caller: campaigns.next_call(caller=caller, campaign=campaign)
    )
    assert len(paced_given) == len(set(paced_given)) == clients * args.paced_calls, "appel donné deux fois ou manquant"
    paced_floor, _, _ = paced(bare_lookup)
    print(
        f"next-call au rythme des appels : {clients} appelants, un appel de {low:.0f} à {high:.0f} s chacun, "
        f"{len(paced_given)} appels donnés en {paced_elapsed:.0f} s "
        f"({len(paced_given) / paced_elapsed:.1f} par seconde)"
    )
    figures.append(
        (
            f"next-call, {clients} appelants au rythme des appels (p95)",
            percentile(paced_times, 95),
            percentile(paced_floor, 95),
            "ms",
            50,
        )
    )

    pool_campaign = campaigns.campaign_create(
        actor=manager, organisation=organisation, title="Réserve (banc)", selection={"priority": 1}, crisis=crisis
    )
    pool_campaign = campaigns.campaign_open(actor=manager, campaign=pool_campaign)  # nobody: all in the pool
    campaigns.campaign_set_callers(actor=manager, campaign=pool_campaign, callers=callers)
    pool = run_next_calls(pool_campaign, "réserve commune")

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
                with transaction.atomic():  # the lock held until the transaction ends, as in next_call
                    cursor.execute(sql, [pool_campaign.pk])
                    cursor.fetchone()
            times.append(ms(start))
            release()
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
    client.post(f"/api/v1/campaigns/{campaign.pk}/next-call")  # untimed: the process's first request loads its code
    api, sheets = [], []
    opened = AuditLogEntry.objects.filter(action=AuditLogEntry.Action.ACCESS, actor=caller).count()
    for _ in range(args.per_client):
        start = time.perf_counter()
        response = client.post(f"/api/v1/campaigns/{campaign.pk}/next-call")
        api.append(ms(start))
        assert response.status_code in (200, 204), response.content[:300]
        if response.status_code == 204:
            break
        call = Call.objects.select_related("person").get(pk=response.json()["id"])
        sheet = response.json()["sheet"]
        assert (call.assigned_to_id, sheet["identity"]["last_name"]) == (caller.pk, call.person.last_name)
        assert sheet["phones"] and sheet["address"], sheet
        sheets.append(call.pk)
        calls.call_record_outcome(actor=caller, call=call, outcome=Outcome.REACHED_FINE)
    logged = AuditLogEntry.objects.filter(action=AuditLogEntry.Action.ACCESS, actor=caller).count() - opened
    assert sheets and len(set(sheets)) == len(sheets) == logged, (len(sheets), logged)
    print(f"API : {len(sheets)} fiches données, chacune avec son adresse et son téléphone, {logged} lignes au journal")
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

    # 3. The crisis dashboard's refresh, as its view runs it (register.views_crises.crisis_dashboard).
    for call in list(campaign.calls.filter(status=CallStatus.ASSIGNED).select_related("assigned_to")[:30]):
        calls.call_record_outcome(actor=call.assigned_to, call=call, outcome=Outcome.UNREACHABLE)
    escalations = access.escalations_visible_to(manager, organisation)

    def dashboard():
        alerts = list(crises_selectors.open_escalations(escalations, crisis))
        return crises_selectors.crisis_dashboard(crisis), alerts

    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        board, alerts = dashboard()
    statements = [q["sql"] for q in captured.captured_queries]

    def dashboard_sql():
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    crisis_calls = Call.objects.filter(campaign__crisis=crisis)
    expected_total = crisis_calls.count()
    expected_done = crisis_calls.filter(status=CallStatus.DONE).exclude(outcome=Outcome.UNREACHABLE).count()
    assert board.totals["total"] == expected_total == total + pool_campaign.calls.count(), board.totals
    assert board.totals["done"] == expected_done and board.totals["unreachable"] == 30, board.totals
    assert sum(row.counts["total"] for row in board.by_commune) == expected_total
    assert sum(row.counts["total"] for row in board.by_caller) == expected_total
    assert sum(row.counts["escalated"] for row in board.by_caller) == board.totals["escalated"] == 30
    assert len(alerts) == 30 and {a.call.campaign_id for a in alerts} == {campaign.pk}
    with_calls = crisis_calls.exclude(assigned_to=None).values("assigned_to").distinct().count()
    assert len([row for row in board.by_caller if row.label != crises_selectors.NOT_ASSIGNED]) == with_calls
    print(
        f"Tableau de bord : {board.totals['total']} appels, {board.totals['done']} faits, "
        f"{len(alerts)} alertes, {len(board.by_commune)} communes, {len(board.by_caller)} lignes d'appelants "
        f"({len(statements)} requêtes)"
    )
    board_times, board_sql = [], []
    for _ in range(20):
        start = time.perf_counter()
        dashboard()
        board_times.append(ms(start))
        start = time.perf_counter()
        dashboard_sql()
        board_sql.append(ms(start))
    figures.append(
        ("tableau de bord de crise (p95 sur 20)", percentile(board_times, 95), percentile(board_sql, 95), "ms", 200)
    )

    print(f"\n{args.persons} personnes, {len(callers)} appelants ({connection.vendor})")
    for label, value, floor, unit, target in figures:
        print(
            f"{label:<52} {value:9.1f} {unit} | plancher SQL {floor:8.2f} {unit} "
            f"| rapport {value / max(floor, 0.001):6.1f} | cible < {target} {unit}"
        )
    p50 = (statistics.median(own), statistics.median(pool), statistics.median(api))
    print("(next-call p50 : répartis {:.1f} ms, réserve {:.1f} ms, API {:.1f} ms)".format(*p50))
    if pooled:
        connection.close()
        connection.close_pool()
        connection.settings_dict["OPTIONS"].pop("pool")
    if not args.keep:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0, keepdb=False)


if __name__ == "__main__":
    main()
