"""Benchmark: the referrals' figures (issue 14, point 6) among 100,000 referrals.

    python bench/referral_figures.py [--referrals N] [--partners P] [--senders S] [--runs R] [--keep]

Builds (or reuses with --keep) a separate database `test_<name>_bench_referral_figures` from DATABASE_URL
with N referrals (default 100,000) sent over the last three years by S organisations (default 50) to
the services of P partner organisations (default 500); the first sender (a large CCAS) sends a fifth of
them, the first partner receives a tenth. States, outcomes, needs and timestamps drawn at random (seeded).
Then times, R times each (default 20): the sent figures of the large CCAS over the last 365 days, the
received figures of the large partner over the same period, and both as the page's tables and the CSV
(`figures_tables`) — beside the floor, the bare SQL reading the same referrals' narrow rows once, as a
ratio. Prints figures (p50, p95, queries); never fails on timing.
"""

import argparse
import datetime
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
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def generate(referrals: int, partners: int, senders: int):
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from maillage.core.enums import OrganisationKind
    from maillage.core.models import Organisation, User
    from maillage.directory.models import Service
    from maillage.directory.taxonomies import ESSENTIAL_NEEDS
    from maillage.people.models import Person
    from maillage.referrals.enums import ReferralOutcome, ReferralStatus, ReferralUrgency
    from maillage.referrals.models import Referral

    rng = random.Random(14)
    password = make_password(None)
    sending = Organisation.objects.bulk_create(
        [Organisation(name=f"CCAS de banc {i}", kind=OrganisationKind.CCAS) for i in range(senders)]
    )
    receiving = Organisation.objects.bulk_create(
        [Organisation(name=f"Partenaire de banc {i}", kind=OrganisationKind.ASSOCIATION) for i in range(partners)]
    )
    services = Service.objects.bulk_create(
        [Service(organisation=o, name=f"Service de banc {i}") for i, o in enumerate(receiving)]
    )
    user = User.objects.create(email="banc-orientations@exemple.fr", password=password)
    persons = Person.objects.bulk_create(
        [Person(organisation=o, first_names="Camille", last_name=f"Banc {i}") for i, o in enumerate(sending)]
    )
    person_of = {p.organisation_id: p for p in persons}
    codes = [code for code, _ in ESSENTIAL_NEEDS]
    now = timezone.now()
    states = [
        (ReferralStatus.SENT, 6),
        (ReferralStatus.RECEIVED, 6),
        (ReferralStatus.ACCEPTED, 8),
        (ReferralStatus.IN_PROGRESS, 15),
        (ReferralStatus.CLOSED, 45),
        (ReferralStatus.DECLINED, 8),
        (ReferralStatus.REDIRECTED, 4),
        (ReferralStatus.CANCELLED, 8),
    ]
    outcomes = [o.value for o in ReferralOutcome]
    batch = []
    for i in range(referrals):
        sender = sending[0] if rng.random() < 0.2 else rng.choice(sending)
        service = services[0] if rng.random() < 0.1 else rng.choice(services)
        status = rng.choices([s for s, _ in states], weights=[w for _, w in states])[0]
        sent_at = now - datetime.timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
        row = Referral(
            person=person_of[sender.pk],
            from_organisation=sender,
            sender=user,
            to_service=service,
            to_organisation_id=service.organisation_id,
            referral_type="support",
            reason="Banc",
            needs=rng.sample(codes, rng.randint(0, 3)),
            urgency=rng.choice(ReferralUrgency.values),
            status=status,
            sent_at=sent_at,
            created_at=sent_at,
        )
        step = datetime.timedelta(hours=rng.expovariate(1 / 40))
        if status != ReferralStatus.SENT:
            row.received_at = sent_at + step / 3
        if status in (
            ReferralStatus.ACCEPTED,
            ReferralStatus.IN_PROGRESS,
            ReferralStatus.CLOSED,
            ReferralStatus.DECLINED,
            ReferralStatus.REDIRECTED,
        ):
            row.answered_at = sent_at + step
        if status == ReferralStatus.CLOSED:
            row.ended_at = sent_at + step + datetime.timedelta(days=rng.randint(1, 90))
            row.outcome = rng.choice(outcomes)
        if status == ReferralStatus.CANCELLED:
            row.ended_at = sent_at + step
        batch.append(row)
        if len(batch) == 5000 or i == referrals - 1:
            Referral.objects.bulk_create(batch)
            batch = []
    return sending[0], receiving[0]


def timed(function, runs: int):
    times, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            result = function()
            times.append((time.perf_counter() - start) * 1000)
        queries = len(captured.captured_queries)
    return result, times, queries


def report(label: str, times, queries=None, floor=None):
    p50, p95 = statistics.median(times), percentile(times, 95)
    extra = f", {queries} requêtes" if queries is not None else ""
    ratio = f", {p50 / floor:.1f} × le plancher" if floor else ""
    print(f"{label} : p50 {p50:.1f} ms, p95 {p95:.1f} ms{extra}{ratio}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--referrals", type=int, default=100_000)
    parser.add_argument("--partners", type=int, default=500)
    parser.add_argument("--senders", type=int, default=50)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="Réutiliser la base de banc existante.")
    args = parser.parse_args()

    setup_test_environment()
    base = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(Path(base).with_name("bench_referral_figures.sqlite3"))
    else:
        connection.settings_dict["TEST"]["NAME"] = f"test_{base}_bench_referral_figures"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.keep, serialize=False)

    from django.utils import timezone

    from maillage.core.models import Organisation
    from maillage.referrals import figures, figures_tables
    from maillage.referrals.models import Referral

    if args.keep and Referral.objects.exists():
        ccas = Organisation.objects.get(name="CCAS de banc 0")
        partner = Organisation.objects.get(name="Partenaire de banc 0")
    else:
        start = time.perf_counter()
        ccas, partner = generate(args.referrals, args.partners, args.senders)
        print(f"Données : {args.referrals} orientations générées en {time.perf_counter() - start:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE referrals_referral")

    today = timezone.localdate()
    period = figures.Period(today - datetime.timedelta(days=364), today)
    first, after = period.bounds()
    table = Referral._meta.db_table

    def floor(column):
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT to_organisation_id, from_organisation_id, to_service_id, status, outcome, urgency, needs, "  # noqa: S608
                f"sent_at, received_at, answered_at, ended_at FROM {table} "
                f"WHERE {column} = %s AND status <> 'draft' AND sent_at >= %s AND sent_at < %s",
                [ccas.pk if column == "from_organisation_id" else partner.pk, first, after],
            )
            return len(cursor.fetchall())

    sent_rows, floor_sent, _ = timed(lambda: floor("from_organisation_id"), args.runs)
    received_rows, floor_received, _ = timed(lambda: floor("to_organisation_id"), args.runs)
    sent, sent_times, sent_queries = timed(lambda: figures.sent_figures(ccas, period), args.runs)
    received, received_times, received_queries = timed(lambda: figures.received_figures(partner, period), args.runs)
    assert sent.total == sent_rows and received.total == received_rows, "les chiffres ne comptent pas tout"
    assert sum(count for _, count in sent.by_outcome) == sent.total
    _, page_times, _ = timed(
        lambda: (
            [figures_tables.side_tables(s) for s in (sent, received)]
            and figures_tables.csv_bytes(ccas, period, [sent, received])
        ),
        args.runs,
    )
    print(
        f"Orientations : {Referral.objects.count()} ; la grande structure en a envoyé {sent.total} et le grand "
        f"partenaire en a reçu {received.total} sur les 365 derniers jours ({connection.vendor})"
    )
    report("Plancher SQL (lire une fois les lignes envoyées)", floor_sent)
    report("Chiffres des orientations envoyées", sent_times, sent_queries, statistics.median(floor_sent))
    report("Plancher SQL (lire une fois les lignes reçues)", floor_received)
    report("Chiffres des orientations reçues", received_times, received_queries, statistics.median(floor_received))
    report("Tableaux de la page et CSV (sans base)", page_times)
    if not args.keep:
        connection.creation.destroy_test_db(base, verbosity=0, keepdb=False)


if __name__ == "__main__":
    main()
