"""Benchmark: closed-loop referrals at a département's scale (issue 14, « Sizes and speed »).

    python bench/referrals.py [--referrals N] [--partners P] [--persons M] [--requests R] [--keep]

Builds (or reuses with --keep) a separate database `test_<name>_bench_referrals` from DATABASE_URL with
three senders (two CCAS and a CIAS of Ille-et-Vilaine, a coordinator each), P partner organisations
(default 500; associations, home-help and nursing services, CLIC, DAC… in real communes of the
département, each with a published service and a partner account that reads its inbox), M persons in the
senders' files (default 25,000; Faker fr_FR names, real communes) and N referrals (default 100,000),
each with the person's consent naming its partner and its whole history (`ReferralEvent`: drafted,
sent, received, accepted or declined or redirected, started, closed or cancelled), spread over two years;
a fifth of the accepted ones have a first contact. Skewed as life is: a partner's share follows a Zipf
law (the busiest receives thousands, most a few dozen), and one person was oriented many times
(--person-referrals, default 40). Then times, through the real views as a signed-in user past the
second factor (Django test client, R requests each, default 50):

1. the busiest partner's inbox (`/orientations/recues/`): the default tab « À traiter », « En retard »
   and « Terminées » (the largest, paged 50 rows at a time);
2. the much-oriented person's file (`/personnes/<pk>/`, its timeline included), the whole timeline page
   (`/personnes/<pk>/chronologie/`) and the timeline filtered on referrals
   (`/personnes/<pk>/chronologie/?type=referral`, the htmx fragment), read by the sender's coordinator;
3. one of that person's sent referrals (`/orientations/envoyees/<pk>/`).

Each p95 beside the floor measured in the same run — the bare SQL fetching the same rows (the counts
and the page's rows; the file's rows and the timeline's events), timed the same way — as a ratio;
target p95 < 100 ms on PostgreSQL. Checks what the pages found against the generated data: the
inbox's counts and rows, the timeline's events (the newest, exactly), the referral's history. Prints
figures; never fails on timing.
"""

import argparse
import bisect
import datetime
import itertools
import os
import random
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maillage.settings.test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from faker import Faker  # noqa: E402

PARTNER_EMAIL = "partenaire{}@banc-orientations.fr"
SENDER_EMAIL = "coordination{}@banc-orientations.fr"
SENDERS = [
    ("CCAS de Rennes (banc)", "ccas", "35238", 0.6),
    ("CCAS de Saint-Malo (banc)", "ccas", "35288", 0.25),
    ("CIAS à l'Ouest de Rennes (banc)", "cias", "35206", 0.15),
]
PARTNER_KINDS = [
    ("association", "Association {name}", "Visites de convivialité"),
    ("saad", "Aide à domicile {name}", "Aide aux courses et au ménage"),
    ("ssiad", "SSIAD {name}", "Soins infirmiers à domicile"),
    ("association", "Portage de repas {name}", "Portage de repas"),
    ("clic", "CLIC {name}", "Information et coordination gérontologique"),
    ("dac", "DAC {name}", "Appui à la coordination des parcours"),
    ("association", "Transport solidaire {name}", "Transport accompagné"),
    ("social_landlord", "Habitat {name}", "Adaptation du logement"),
    ("association", "Épicerie solidaire {name}", "Aide alimentaire"),
]
REASONS = [
    "Aide aux courses et au ménage deux fois par semaine.",
    "Évaluation des besoins à domicile après une chute.",
    "Information sur l'APA et les aides au maintien à domicile.",
    "Portage de repas demandé par la famille.",
    "Recherche de visites de convivialité : la personne ne sort plus.",
    "Accompagnement pour un dossier d'aide sociale à l'hébergement.",
    "Transport vers les rendez-vous médicaux du mardi.",
    "Adaptation de la salle de bains (douche de plain-pied).",
]
DECLINE_NOTES = ["Notre secteur ne couvre pas la commune de la personne.", "Plus de place avant trois mois."]
TYPES = ["contact", "home", "support", "coordination"]
NEEDS = [
    "se-nourrir",
    "prendre-soin-de-soi-et-se-soigner",
    "etre-informe-et-ecoute",
    "parler-avec-autrui",
    "organiser-sa-vie-quotidienne",
]
# Final state → share of the referrals (closed ones dominate two years of history).
STATUS_SHARES = [
    ("sent", 0.04),
    ("received", 0.04),
    ("accepted", 0.06),
    ("in_progress", 0.10),
    ("closed", 0.56),
    ("declined", 0.09),
    ("redirected", 0.03),
    ("cancelled", 0.08),
]
OUTCOMES = ["need_met"] * 6 + ["partly_met"] * 2 + ["not_met", "person_declined"]


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def ms(start):
    return (time.perf_counter() - start) * 1000


def _path(status, rng):
    """The states a referral went through to reach `status` (lifecycle.TRANSITIONS), after its draft."""
    if status == "sent":
        return ["sent"]
    if status == "received":
        return ["sent", "received"]
    if status == "accepted":
        return ["sent", "received", "accepted"]
    if status == "in_progress":
        return ["sent", "received", "accepted", "in_progress"]
    if status == "closed":
        return ["sent", "received", "accepted", *(["in_progress"] if rng.random() < 0.7 else []), "closed"]
    if status in ("declined", "redirected"):
        return ["sent", "received", status]
    return ["sent", *(["received"] if rng.random() < 0.5 else []), "cancelled"]


# How long after the previous state each state comes (hours, drawn between the bounds).
STEP_HOURS = {
    "sent": (0, 0),
    "received": (1, 72),
    "accepted": (2, 120),
    "declined": (2, 120),
    "redirected": (2, 120),
    "in_progress": (24, 240),
    "closed": (72, 2000),
    "cancelled": (1, 500),
}
# How long ago a referral ending in `status` was sent (days): the open ones are recent.
AGE_DAYS = {"sent": (0, 12), "received": (1, 20), "accepted": (6, 60), "in_progress": (15, 180)}
TIMESTAMP = {
    "sent": "sent_at",
    "received": "received_at",
    "accepted": "answered_at",
    "declined": "answered_at",
    "redirected": "answered_at",
    "in_progress": "started_at",
    "closed": "ended_at",
    "cancelled": "ended_at",
}


def generate(args):  # noqa: C901 — one generator, read top to bottom
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from maillage.core.enums import Role
    from maillage.core.models import Commune, Membership, Organisation, User
    from maillage.core.territories import load_territories, read_extract
    from maillage.directory.enums import ServiceStatus
    from maillage.directory.models import Service
    from maillage.people import normalise
    from maillage.people.models import Consent, Person, PersonAddress, PersonPhone
    from maillage.referrals.models import FirstContact, FirstContactEvent, Referral, ReferralEvent

    started = time.perf_counter()
    if not Commune.objects.filter(departement__code="35").exists():
        load_territories(read_extract(), departement_codes={"35"})
    communes = list(Commune.objects.filter(departement__code="35").values_list("pk", "code", "name", "postal_codes"))
    by_code = {c[1]: c for c in communes}
    fake = Faker("fr_FR")
    fake.seed_instance(14)
    rng = random.Random(14)  # noqa: S311 — reproducible data, not a secret
    password = make_password("Un-mot-de-passe-solide-1")

    senders = []
    for i, (name, kind, code, _share) in enumerate(SENDERS):
        commune = by_code.get(code) or communes[i]
        organisation = Organisation.objects.create(name=name, kind=kind, commune_id=commune[0])
        user = User.objects.create(
            email=SENDER_EMAIL.format(i), first_name=fake.first_name(), last_name=fake.last_name(), password=password
        )
        Membership.objects.create(user=user, organisation=organisation, role=Role.COORDINATOR)
        senders.append((organisation, user))

    partner_rows = []
    for i in range(args.partners):
        kind, pattern, service_name = PARTNER_KINDS[i % len(PARTNER_KINDS)]
        commune = rng.choice(communes)
        partner_rows.append((kind, f"{pattern.format(name=commune[2])} ({i + 1})", service_name, commune))
    partners = Organisation.objects.bulk_create(
        [Organisation(name=name, kind=kind, commune_id=commune[0]) for kind, name, _s, commune in partner_rows],
        batch_size=1000,
    )
    services = Service.objects.bulk_create(
        [
            Service(
                organisation=organisation,
                name=f"{service_name} – {commune[2]}",
                status=ServiceStatus.PUBLISHED,
                description="Service partenaire du banc des orientations.",
                last_verified_at=timezone.now(),
            )
            for organisation, (_k, _n, service_name, commune) in zip(partners, partner_rows, strict=True)
        ],
        batch_size=1000,
    )
    partner_users = User.objects.bulk_create(
        [
            User(
                email=PARTNER_EMAIL.format(i),
                first_name=fake.first_name(),
                last_name=fake.last_name(),
                password=password,
            )
            for i in range(args.partners)
        ],
        batch_size=1000,
    )
    Membership.objects.bulk_create(
        [
            Membership(user=user, organisation=organisation, role=Role.PARTNER)
            for user, organisation in zip(partner_users, partners, strict=True)
        ],
        batch_size=1000,
    )

    last_names = [fake.last_name() for _ in range(3000)]
    first_names = [fake.first_name() for _ in range(600)]
    sender_weights = list(itertools.accumulate(share for *_rest, share in SENDERS))
    person_rows = []
    for _ in range(args.persons):
        sender_index = bisect.bisect(sender_weights, rng.random() * sender_weights[-1])
        last, first = rng.choice(last_names), rng.choice(first_names)
        person_rows.append(
            Person(
                organisation=senders[min(sender_index, len(senders) - 1)][0],
                last_name=last,
                first_names=first,
                search_names=normalise.names(last, "", first),
                birth_date=fake.date_between(
                    start_date=datetime.date(1925, 1, 1), end_date=datetime.date(1960, 12, 31)
                ),
            )
        )
    persons = Person.objects.bulk_create(person_rows, batch_size=5000)
    addresses, phones = [], []
    for person in persons:
        _pk, _code, _name, postal = commune = rng.choice(communes)
        addresses.append(
            PersonAddress(
                person=person, line=fake.street_address(), commune_id=commune[0], postal_code=(postal or [""])[0]
            )
        )
        number = f"+332{rng.randint(10000000, 99999999)}"
        phones.append(PersonPhone(person=person, number=number, digits=normalise.phone_digits(number)))
    PersonAddress.objects.bulk_create(addresses, batch_size=5000)
    PersonPhone.objects.bulk_create(phones, batch_size=5000)
    sender_of = {organisation.pk: user for organisation, user in senders}
    print(
        f"  {len(senders)} structures qui orientent, {len(partners)} partenaires, {len(persons)} personnes "
        f"({time.perf_counter() - started:.0f} s)",
        flush=True,
    )

    # A partner's share: Zipf (s = 0.8) over the partners, the first the busiest.
    partner_weights = list(itertools.accumulate(1 / (i + 1) ** 0.8 for i in range(len(partners))))
    status_weights = list(itertools.accumulate(share for _s, share in STATUS_SHARES))
    # The much-oriented person: the first of the main CCAS, oriented to as many different partners.
    busy_person = persons[0] if persons[0].organisation_id == senders[0][0].pk else None
    busy_person = busy_person or next(p for p in persons if p.organisation_id == senders[0][0].pk)
    now = timezone.now()
    tally = Counter()  # (partner pk, status) → referrals; (partner pk, "overdue") → overdue ones
    late = now - datetime.timedelta(days=args.overdue_days)
    consents = {}  # (person pk, partner pk) → consent pk
    made = 0
    batch = 10_000
    while made < args.referrals:
        size = min(batch, args.referrals - made)
        plans = []
        for j in range(size):
            if made + j < min(args.person_referrals, len(partners)):
                person, partner_index = busy_person, made + j
            else:
                person = rng.choice(persons)
                partner_index = bisect.bisect(partner_weights, rng.random() * partner_weights[-1])
                partner_index = min(partner_index, len(partners) - 1)
            status = STATUS_SHARES[bisect.bisect(status_weights, rng.random() * status_weights[-1])][0]
            plans.append((person, partner_index, status))
        new_consents = {}
        for person, partner_index, _status in plans:
            key = (person.pk, partners[partner_index].pk)
            if key not in consents and key not in new_consents:
                new_consents[key] = Consent(
                    person_id=person.pk, scope="referral", partner_id=key[1], channel="oral", given_on=now.date()
                )
        for key, consent in zip(
            new_consents, Consent.objects.bulk_create(list(new_consents.values()), batch_size=5000), strict=True
        ):
            consents[key] = consent.pk
        referrals, histories = [], []
        for person, partner_index, status in plans:
            partner, service = partners[partner_index], services[partner_index]
            path = _path(status, rng)
            low, high = AGE_DAYS.get(status, (60, 730))
            start = now - datetime.timedelta(days=rng.uniform(low, high))
            moments, at = [], start
            for state in path:
                at = at + datetime.timedelta(hours=rng.uniform(*STEP_HOURS[state]))
                moments.append(min(at, now - datetime.timedelta(minutes=1)))
            dates = {TIMESTAMP[state]: moment for state, moment in zip(path, moments, strict=True)}
            referral = Referral(
                person_id=person.pk,
                from_organisation_id=person.organisation_id,
                sender=sender_of[person.organisation_id],
                to_service_id=service.pk,
                to_organisation_id=partner.pk,
                referral_type=rng.choice(TYPES),
                reason=rng.choice(REASONS),
                needs=[rng.choice(NEEDS)],
                urgency=rng.choices(["normal", "soon", "urgent"], weights=[80, 15, 5])[0],
                agreed_with_person="La personne attend un appel du partenaire.",
                consent_id=consents[(person.pk, partner.pk)],
                status=status,
                outcome=rng.choice(OUTCOMES) if status == "closed" else "",
                created_at=start,
                **dates,
            )
            referrals.append(referral)
            histories.append((path, moments, partner_index))
            tally[(partner.pk, status)] += 1
            if status in ("sent", "received") and dates["sent_at"] < late:
                tally[(partner.pk, "overdue")] += 1
        Referral.objects.bulk_create(referrals, batch_size=5000)
        events, first_contacts, first_contact_events = [], [], []
        for referral, (path, moments, partner_index) in zip(referrals, histories, strict=True):
            sender = sender_of[referral.from_organisation_id]
            partner, partner_user = partners[partner_index], partner_users[partner_index]
            events.append(
                ReferralEvent(
                    referral_id=referral.pk,
                    actor=sender,
                    organisation_id=referral.from_organisation_id,
                    at=referral.created_at,
                    from_status="",
                    to_status="draft",
                )
            )
            previous = "draft"
            for state, moment in zip(path, moments, strict=True):
                by_sender = state in ("sent", "cancelled")
                note = ""
                if state == "declined":
                    note = rng.choice(DECLINE_NOTES)
                elif state == "redirected":
                    note = "Un service plus proche du domicile de la personne."
                elif state == "closed":
                    note = "Accompagnement terminé."
                elif state == "cancelled":
                    note = "La personne a trouvé une solution par sa famille."
                events.append(
                    ReferralEvent(
                        referral_id=referral.pk,
                        actor=sender if by_sender else partner_user,
                        organisation_id=referral.from_organisation_id if by_sender else partner.pk,
                        at=moment,
                        from_status=previous,
                        to_status=state,
                        note=note,
                    )
                )
                previous = state
            if "accepted" in path and (referral.person_id == busy_person.pk or rng.random() < 0.2):
                accepted_at = moments[path.index("accepted")]
                appointment = accepted_at + datetime.timedelta(days=rng.randint(2, 10))
                happened = appointment < now
                first_contacts.append(
                    FirstContact(
                        referral_id=referral.pk,
                        appointment_booked=True,
                        appointment_at=appointment,
                        appointment_place="Au domicile de la personne",
                        accompanied_by="Une agente du CCAS",
                        result="happened" if happened else "",
                    )
                )
                first_contact_events.append(
                    FirstContactEvent(
                        referral_id=referral.pk,
                        actor=partner_user,
                        organisation_id=partner.pk,
                        at=accepted_at + datetime.timedelta(hours=2),
                        summary=f"Rendez-vous pris pour la personne le {appointment:%d/%m/%Y à %H:%M} "
                        "(Au domicile de la personne) ; accompagnée par : Une agente du CCAS.",
                    )
                )
                if happened:
                    first_contact_events.append(
                        FirstContactEvent(
                            referral_id=referral.pk,
                            actor=sender,
                            organisation_id=referral.from_organisation_id,
                            at=min(appointment + datetime.timedelta(days=1), now - datetime.timedelta(minutes=1)),
                            summary="Le premier contact a eu lieu.",
                        )
                    )
        ReferralEvent.objects.bulk_create(events, batch_size=5000)
        FirstContact.objects.bulk_create(first_contacts, batch_size=5000)
        FirstContactEvent.objects.bulk_create(first_contact_events, batch_size=5000)
        made += size
        print(f"  {made:>7} orientations générées ({time.perf_counter() - started:.0f} s)", flush=True)
    return tally


def expected_inbox(partner, overdue_days):
    """The inbox's counts for `partner`, read bare (for a run with --keep, whose generator's tally is gone)."""
    from django.utils import timezone

    late = timezone.now() - datetime.timedelta(days=overdue_days)
    tally = Counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT status, count(*) FROM referrals_referral WHERE to_organisation_id = %s GROUP BY status",
            [partner.pk],
        )
        for status, count in cursor.fetchall():
            tally[(partner.pk, status)] = count
        cursor.execute(
            "SELECT count(*) FROM referrals_referral WHERE to_organisation_id = %s "
            "AND status IN ('sent', 'received') AND sent_at < %s",
            [partner.pk, late],
        )
        tally[(partner.pk, "overdue")] = cursor.fetchone()[0]
    return tally


def main():  # noqa: C901 — one script, read top to bottom
    parser = argparse.ArgumentParser()
    parser.add_argument("--referrals", type=int, default=100_000)
    parser.add_argument("--partners", type=int, default=500)
    parser.add_argument("--persons", type=int, default=25_000)
    parser.add_argument(
        "--person-referrals", type=int, default=40, help="Orientations de la personne la plus orientée."
    )
    parser.add_argument("--requests", type=int, default=50, help="Pages demandées pour chaque mesure.")
    parser.add_argument("--keep", action="store_true", help="Réutiliser la base de banc existante.")
    args = parser.parse_args()

    # No `setup_test_environment()`: it makes every template render send a signal that the test client
    # answers with a copy of the context — hundreds per inbox page (each badge is a component), a cost
    # no served page pays. The test settings already keep e-mails in memory and accept « testserver ».
    from django.conf import settings

    args.overdue_days = settings.REFERRALS_REMINDER_DAYS
    base = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(Path(base).with_name("bench_referrals.sqlite3"))
    else:
        connection.settings_dict["TEST"]["NAME"] = f"test_{base}_bench_referrals"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.keep, serialize=False)

    from django.utils import timezone

    from maillage.core.models import User
    from maillage.referrals.models import FirstContactEvent, Referral, ReferralEvent

    print(f"Base : {connection.vendor}, {connection.settings_dict['NAME']}")
    tally = None
    if Referral.objects.count() < args.referrals:
        print(f"Génération de {args.referrals} orientations vers {args.partners} partenaires…", flush=True)
        tally = generate(args)
    if connection.vendor == "postgresql":
        # As autovacuum leaves a table of this age: statistics, and the visibility map that lets the
        # inbox count from its index alone.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    from tests.conftest import login_verified

    # The busiest partner: the most referrals addressed to it.
    busiest = Referral.objects.values("to_organisation").annotate(n=Count("pk")).order_by("-n").first()
    partner_user = User.objects.get(
        memberships__organisation_id=busiest["to_organisation"], memberships__role="partner"
    )
    partner = partner_user.memberships.get().organisation
    if tally is None:
        tally = expected_inbox(partner, args.overdue_days)
    figures = []

    def timed(get, floor, label, requests):
        get()  # untimed: the first request loads the code and templates
        pages = [get() for _ in range(requests)]
        times = [t for t, _, _ in pages]
        floors = []
        for _ in range(requests):
            start = time.perf_counter()
            floor()
            floors.append(ms(start))
        cpu = percentile([c for _, c, _ in pages], 95)
        figures.append((label, statistics.median(times), percentile(times, 95), percentile(floors, 95), cpu))
        return pages[-1][2]

    def page(client, url, **extra):
        def get():
            start, cpu = time.perf_counter(), time.process_time()
            response = client.get(url, **extra)
            elapsed, cpu = ms(start), (time.process_time() - cpu) * 1000
            assert response.status_code == 200, (url, response.status_code)
            return elapsed, cpu, response.content.decode()

        return get

    # 1. The busiest partner's inbox.
    client = Client()
    login_verified(client, partner_user)
    unanswered = ("sent", "received")
    expected = {
        "a-traiter": sum(tally[(partner.pk, s)] for s in unanswered),
        "en-cours": sum(tally[(partner.pk, s)] for s in ("accepted", "in_progress")),
        "terminees": sum(tally[(partner.pk, s)] for s in ("closed", "declined", "redirected", "cancelled")),
        "en-retard": tally[(partner.pk, "overdue")],
    }
    statuses_of = {
        "a-traiter": unanswered,
        "en-cours": ("accepted", "in_progress"),
        "terminees": ("closed", "declined", "redirected", "cancelled"),
        "en-retard": unanswered,
    }
    labels = {"a-traiter": "À traiter", "en-cours": "Acceptées et en cours", "terminees": "Terminées"}
    late = timezone.now() - datetime.timedelta(days=args.overdue_days)

    def inbox_floor(key):
        statuses = statuses_of[key]
        marks = ", ".join(["%s"] * len(statuses))
        overdue = " AND r.sent_at < %s" if key == "en-retard" else ""

        def floor():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT status, count(*) FROM referrals_referral WHERE to_organisation_id = %s "
                    "AND status <> 'draft' GROUP BY status",
                    [partner.pk],
                )
                cursor.fetchall()
                cursor.execute(
                    "SELECT count(*) FROM referrals_referral WHERE to_organisation_id = %s "
                    "AND status IN ('sent', 'received') AND sent_at < %s",
                    [partner.pk, late],
                )
                cursor.fetchall()
                cursor.execute(
                    # The page's 50 first, then their rows: joining first would join all of them.
                    "SELECT r.id, r.status, r.urgency, r.sent_at, r.outcome, p.last_name, p.first_names, "
                    "s.name, o.name FROM (SELECT id FROM referrals_referral r "
                    f"WHERE r.to_organisation_id = %s AND r.status IN ({marks}){overdue} "
                    "ORDER BY r.urgency DESC, r.sent_at, r.id LIMIT 50) page "
                    "JOIN referrals_referral r ON r.id = page.id JOIN people_person p ON p.id = r.person_id "
                    "JOIN directory_service s ON s.id = r.to_service_id "
                    "JOIN core_organisation o ON o.id = r.from_organisation_id "
                    "ORDER BY r.urgency DESC, r.sent_at, r.id",
                    [partner.pk, *statuses, *([late] if overdue else [])],
                )
                cursor.fetchall()

        return floor

    print(
        f"\nBoîte de réception la plus chargée : {sum(expected[k] for k in labels)} orientations reçues "
        f"({expected['a-traiter']} à traiter, {expected['en-cours']} en cours, {expected['terminees']} terminées, "
        f"{expected['en-retard']} en retard)"
    )
    for key, title in (("a-traiter", "par défaut, à traiter"), ("en-retard", "en retard"), ("terminees", "terminées")):
        url = "/orientations/recues/" if key == "a-traiter" else f"/orientations/recues/?etat={key}"
        html = timed(page(client, url), inbox_floor(key), f"boîte de réception, {title} (p95)", args.requests)
        counts = {k: int(n) for k, n in re.findall(r'\?etat=([a-z-]+)">[^<(]+\((\d+)\)', html)}
        current = re.search(r'aria-current="page">[^<(]+\((\d+)\)', html)
        counts[key] = int(current.group(1))
        assert counts == expected, (counts, expected)
        rows = len(re.findall(r"<tr>", html)) - 1  # the header's row
        named = len(re.findall(r'href="/orientations/recues/\d+/"', html))
        assert rows == min(50, expected[key]), (rows, expected[key])
        assert named == (rows if key != "terminees" else 0), (named, rows)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        print(
            f"Boîte « {key} » : {counts[key]} orientations (attendu {expected[key]}), {rows} lignes affichées, "
            f"{named} personnes nommées, {len(queries)} requêtes"
        )

    # 2. The much-oriented person's file and timeline, read by the sender's coordinator.
    busy = Referral.objects.values("person").annotate(n=Count("pk")).order_by("-n", "person").first()
    referrals = Referral.objects.filter(person_id=busy["person"])
    person = referrals.first().person
    coordinator = User.objects.get(memberships__organisation=person.organisation, memberships__role="coordinator")
    sender_client = Client()
    login_verified(sender_client, coordinator)

    # The timeline's referral events (« referral » kind: the steps but the draft, the first contact's
    # notes), dated from the generated rows, not through the grant.
    dated = [
        (at, f"referral-event-{pk}")
        for at, pk in ReferralEvent.objects.filter(referral__person=person)
        .exclude(to_status="draft")
        .values_list("at", "pk")
    ]
    steps = len(dated)
    dated += [
        (at, f"referral-first-contact-{pk}")
        for at, pk in FirstContactEvent.objects.filter(referral__person=person).values_list("at", "pk")
    ]
    dated.sort(reverse=True)
    print(
        f"\nPersonne la plus orientée : {referrals.count()} orientations, {steps} étapes et "
        f"{len(dated) - steps} notes de premier contact dans sa chronologie"
    )

    def person_floor():
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM people_person WHERE id = %s", [person.pk])
            cursor.fetchall()
            cursor.execute("SELECT * FROM people_personaddress WHERE person_id = %s", [person.pk])
            cursor.fetchall()
            cursor.execute("SELECT * FROM people_personphone WHERE person_id = %s", [person.pk])
            cursor.fetchall()
            cursor.execute("SELECT * FROM people_consent WHERE person_id = %s", [person.pk])
            cursor.fetchall()
            timeline_floor_sql(cursor)

    def timeline_floor_sql(cursor):
        cursor.execute(
            "SELECT e.id, e.at, e.to_status, e.note, r.id, r.outcome, s.name, o.name, u.first_name, u.last_name "
            "FROM referrals_referralevent e JOIN referrals_referral r ON r.id = e.referral_id "
            "JOIN directory_service s ON s.id = r.to_service_id JOIN core_organisation o ON o.id = e.organisation_id "
            "LEFT JOIN core_user u ON u.id = e.actor_id "
            "WHERE r.person_id = %s AND r.from_organisation_id = %s AND e.to_status <> 'draft' "
            "ORDER BY e.at DESC, e.id DESC LIMIT 51",
            [person.pk, person.organisation_id],
        )
        cursor.fetchall()
        cursor.execute(
            "SELECT e.id, e.at, e.summary, s.name, o.name FROM referrals_firstcontactevent e "
            "JOIN referrals_referral r ON r.id = e.referral_id JOIN directory_service s ON s.id = r.to_service_id "
            "JOIN core_organisation o ON o.id = e.organisation_id "
            "WHERE r.person_id = %s AND r.from_organisation_id = %s ORDER BY e.at DESC, e.id DESC LIMIT 51",
            [person.pk, person.organisation_id],
        )
        cursor.fetchall()

    def timeline_floor():
        with connection.cursor() as cursor:
            timeline_floor_sql(cursor)

    def events_in(html):
        return re.findall(r'id="evenement-(referral-(?:event|first-contact)-\d+)"', html)

    html = timed(
        page(sender_client, f"/personnes/{person.pk}/"), person_floor, "fiche de la personne (p95)", args.requests
    )
    found = events_in(html)
    assert found and set(found) <= {key for _at, key in dated}, found
    html = timed(
        page(sender_client, f"/personnes/{person.pk}/chronologie/?type=referral", HTTP_HX_REQUEST="true"),
        timeline_floor,
        "chronologie, orientations (p95)",
        args.requests,
    )
    found = events_in(html)
    newest = [key for _at, key in dated[: len(found)]]
    assert len(found) >= min(50, len(newest)) and set(found) == set(newest), (found[:5], newest[:5])
    # The whole timeline page, every kind (the person's other sources are empty in this benchmark: its
    # floor is the person and the referral steps, as the file's).
    html = timed(
        page(sender_client, f"/personnes/{person.pk}/chronologie/"),
        person_floor,
        "chronologie complète, page (p95)",
        args.requests,
    )
    whole = events_in(html)  # the referral steps among the page's newest events of every kind (consents too)
    assert whole and set(whole) == {key for _at, key in dated[: len(whole)]}, whole[:5]
    with CaptureQueriesContext(connection) as queries:
        sender_client.get(f"/personnes/{person.pk}/")
    with CaptureQueriesContext(connection) as timeline_queries:
        sender_client.get(f"/personnes/{person.pk}/chronologie/?type=referral", HTTP_HX_REQUEST="true")
    print(
        f"Chronologie : {len(found)} événements d'orientation affichés, les plus récents "
        f"({sum(1 for k in found if 'first-contact' in k)} de premier contact) ; "
        f"fiche {len(queries)} requêtes, chronologie {len(timeline_queries)} requêtes"
    )

    # 3. One of the person's sent referrals, with its whole history.
    referral = referrals.filter(status="closed").order_by("-sent_at").first() or referrals.first()
    history = list(referral.events.values_list("pk", flat=True))

    def sent_floor():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT r.*, s.name, o.name FROM referrals_referral r "
                "JOIN directory_service s ON s.id = r.to_service_id "
                "JOIN core_organisation o ON o.id = r.to_organisation_id WHERE r.id = %s",
                [referral.pk],
            )
            cursor.fetchall()
            cursor.execute("SELECT * FROM people_person WHERE id = %s", [person.pk])
            cursor.fetchall()
            cursor.execute(
                "SELECT e.*, u.first_name, u.last_name, o.name FROM referrals_referralevent e "
                "LEFT JOIN core_user u ON u.id = e.actor_id JOIN core_organisation o ON o.id = e.organisation_id "
                "WHERE e.referral_id = %s ORDER BY e.at, e.id",
                [referral.pk],
            )
            cursor.fetchall()

    html = timed(
        page(sender_client, f"/orientations/envoyees/{referral.pk}/"),
        sent_floor,
        "orientation envoyée (p95)",
        args.requests,
    )
    assert referral.to_service.name in html and referral.get_status_display() in html
    with CaptureQueriesContext(connection) as queries:
        sender_client.get(f"/orientations/envoyees/{referral.pk}/")
    print(f"Orientation envoyée : {len(history)} étapes dans son historique, {len(queries)} requêtes")

    total = Referral.objects.count()
    events = ReferralEvent.objects.count()
    print(f"\n{total} orientations, {events} étapes, {args.partners} partenaires ({connection.vendor})")
    # The machine's load says how far the times stretch: on a shared machine the page's process waits for a
    # processor; its own processor time (CPU p95, the page's Python work, not the database's) does not.
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    print(f"(charge de la machine : {load:.1f} sur {os.cpu_count()} processeurs)")
    for label, p50, p95, floor, cpu in figures:
        print(
            f"{label:<42} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms | plancher SQL p95 {floor:6.2f} ms "
            f"| rapport {p95 / max(floor, 0.001):6.1f} | CPU p95 {cpu:6.1f} ms | cible < 100 ms"
        )
    if not args.keep:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0, keepdb=False)


if __name__ == "__main__":
    main()
