"""Benchmark: searching a département-size directory through the real pages.

    python bench/directory_search.py [--n N] [--queries Q] [--keep] [--explain]

Builds (or reuses with --keep) a separate database `test_<name>_bench_search` from DATABASE_URL,
loads the communes of Côte-d'Or and Saône-et-Loire, and generates N published services (default
50,000) over N/200 organisations: names and descriptions from a vocabulary of French social-service
phrases, one need, one domain and one public from the taxonomies, 1 to 3 places in real communes,
communes served, accessibility features, fees, kinds of offer, ages, opening hours and summer
closures, and their reach rows (services.service_reach_refresh). Then times, through the Django
test client, the staff search (/annuaire/recherche/) and the public directory (/annuaire/public/),
htmx fragment and full page, over Q searches mixing text and filters (commune, need, accessibility,
fee, open now, kind of offer); beside each, the floor measured in the same run: the SQL of the
ranked results queryset (the page as the API asks it), executed directly with a cursor. The pages
answer from the in-memory search index (directory.search.index; its build time is printed), which
remembers each text's matches per version of the directory: the first search of each text in a run
is reported apart. Prints p50/p95 and the ratio; never fails on timing.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maillage.settings.test")

import django  # noqa: E402

django.setup()

from django.core.exceptions import EmptyResultSet  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

DEPARTEMENTS = {"21", "71"}

# What local social action offers, as people name it: (name, description, usual need, usual domain).
OFFERS = [
    (
        "Portage de repas",
        "Livraison de repas à domicile, midi et soir, régimes adaptés",
        "se-nourrir",
        "maintien-a-domicile",
    ),
    (
        "Aide à domicile",
        "Aide ménagère, courses et entretien du logement par une auxiliaire de vie",
        "organiser-sa-vie-quotidienne",
        "maintien-a-domicile",
    ),
    (
        "EHPAD",
        "Établissement d'hébergement pour personnes âgées dépendantes, accueil permanent",
        "prendre-soin-de-soi-et-se-soigner",
        "hebergement",
    ),
    (
        "Accueil de jour",
        "Accueil de jour pour personnes atteintes de la maladie d'Alzheimer",
        "parler-avec-autrui",
        "soutien-aux-aidants",
    ),
    (
        "Téléassistance",
        "Téléalarme reliée à une centrale d'écoute jour et nuit",
        "etre-informe-et-ecoute",
        "maintien-a-domicile",
    ),
    (
        "Transport accompagné",
        "Transport solidaire vers les rendez-vous médicaux et les commerces",
        "pouvoir-sortir-et-maintenir-une-activite-physique",
        "transport",
    ),
    (
        "Plateforme de répit",
        "Soutien aux aidants, relais à domicile et groupes de parole",
        "parler-avec-autrui",
        "soutien-aux-aidants",
    ),
    (
        "Visites de convivialité",
        "Bénévoles qui rendent visite aux personnes isolées",
        "parler-avec-autrui",
        "vie-sociale",
    ),
    (
        "Atelier numérique",
        "Initiation à la tablette et accompagnement aux démarches en ligne",
        "s-occuper-et-se-cultiver",
        "loisirs",
    ),
    (
        "Épicerie solidaire",
        "Produits alimentaires à petit prix sur orientation d'un travailleur social",
        "se-nourrir",
        "aides-financieres",
    ),
    (
        "Point conseil budget",
        "Aide à la gestion du budget et prévention du surendettement",
        "retirer-de-l-argent",
        "aides-financieres",
    ),
    (
        "Mandataire judiciaire",
        "Mesures de protection juridique : tutelle, curatelle",
        "se-premunir-des-arnaques",
        "protection-juridique",
    ),
    (
        "Adaptation du logement",
        "Conseil en ergothérapie et aides pour aménager la salle de bains",
        "organiser-sa-vie-quotidienne",
        "amenagement-du-logement",
    ),
    (
        "Service de soins infirmiers à domicile",
        "SSIAD : soins d'hygiène et soins infirmiers sur prescription",
        "prendre-soin-de-soi-et-se-soigner",
        "sante",
    ),
    (
        "Gym douce seniors",
        "Activité physique adaptée et prévention des chutes",
        "pouvoir-sortir-et-maintenir-une-activite-physique",
        "loisirs",
    ),
    (
        "Permanence CCAS",
        "Centre communal d'action sociale : aides facultatives, domiciliation",
        "etre-informe-et-ecoute",
        "aides-financieres",
    ),
    (
        "Point d'information CLIC",
        "Information et coordination gérontologique, évaluation des besoins",
        "etre-informe-et-ecoute",
        "maintien-a-domicile",
    ),
    (
        "Aumônerie",
        "Présence spirituelle et accompagnement en fin de vie",
        "maintenir-des-rituels-symboliques-ou-spirituels",
        "vie-sociale",
    ),
    (
        "Bibliothèque à domicile",
        "Portage de livres et de journaux aux personnes qui ne peuvent se déplacer",
        "s-occuper-et-se-cultiver",
        "loisirs",
    ),
    (
        "Prévention des arnaques",
        "Réunions d'information sur le démarchage abusif et les escroqueries",
        "se-premunir-des-arnaques",
        "protection-juridique",
    ),
]
QUALIFIERS = ["du canton", "intercommunal", "de la vallée", "solidaire", "mutualiste", "associatif", "municipal", ""]
SEARCH_TEXTS = [
    "portage de repas",
    "aide à domicile",
    "ehpad",
    "maison de retraite",
    "téléassistance",
    "transport",
    "aidants",
    "atelier numérique",
    "épicerie",
    "tutelle",
    "soins infirmiers",
    "gym",
    "ccas",
    "isolement",
    "livraison de repas",
    "repas",
    # typos: the fallback that corrects words against the indexed vocabulary
    "teleasistance",
    "portage de rpas",
    "epicrie solidaire",
]


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def generate(n: int):
    """N published services, every related row bulk-inserted; search text as the services write it."""
    from maillage.core.enums import OrganisationKind, Role
    from maillage.core.models import Commune, Membership, Organisation, User
    from maillage.core.territories import load_territories, read_extract
    from maillage.directory.enums import AccessibilityFeature, FeeKind, OfferKind
    from maillage.directory.models import (
        Location,
        Phone,
        RegularSchedule,
        ScheduleException,
        Service,
        ServiceAccessibility,
        ServiceAtLocation,
        Taxonomy,
        TaxonomyTerm,
    )
    from maillage.directory.search import name_text, normalise
    from maillage.directory.services import service_reach_refresh

    rng = random.Random(7)  # noqa: S311
    load_territories(read_extract(), departement_codes=DEPARTEMENTS)
    communes = list(Commune.objects.all())
    big = sorted(communes, key=lambda c: -(c.population or 0))[:40]  # where most places are
    terms = {
        slug: list(TaxonomyTerm.objects.filter(taxonomy__slug=slug).select_related("taxonomy"))
        for slug in (Taxonomy.NEEDS, Taxonomy.DOMAINS, Taxonomy.PUBLICS)
    }
    by_code = {t.code: t for group in terms.values() for t in group}
    kinds = [OrganisationKind.CCAS, OrganisationKind.OTHER]
    orgs = Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"{rng.choice(['CCAS', 'Association', 'SAAD', 'Mutualité'])} banc {i}", kind=rng.choice(kinds)
            )
            for i in range(max(1, n // 200))
        ],
        batch_size=1000,
    )
    user = User.objects.create_user(
        email="banc-annuaire@exemple.fr", password="x", first_name="Banc", last_name="Annuaire"
    )
    Membership.objects.create(user=user, organisation=orgs[0], role=Role.COORDINATOR)
    locations = []
    for i in range(max(1, n // 2)):
        commune = rng.choice(big) if rng.random() < 0.6 else rng.choice(communes)
        locations.append(
            Location(
                organisation=orgs[i % len(orgs)],
                address=f"{rng.randint(1, 80)} rue de la Mairie",
                postal_code=(commune.postal_codes or [""])[0],
                commune=commune,
            )
        )
    Location.objects.bulk_create(locations, batch_size=2000)
    now = timezone.now()
    features = [value for value, _ in AccessibilityFeature.choices]
    batch = 5000
    for offset in range(0, n, batch):
        services, extra = [], []
        for i in range(offset, min(n, offset + batch)):
            name, description, need, domain = rng.choice(OFFERS)
            org = orgs[i % len(orgs)]
            places = rng.sample(locations, rng.choice([1, 1, 1, 2, 3]))
            chosen = [by_code[need], by_code[domain], rng.choice(terms[Taxonomy.PUBLICS])]
            if rng.random() < 0.3:
                chosen.append(rng.choice(terms[Taxonomy.NEEDS]))
            chosen = list(dict.fromkeys(chosen))
            service = Service(
                organisation=org,
                name=f"{name} {rng.choice(QUALIFIERS)} {i}".replace("  ", " "),
                description=description,
                status="published",
                offer_kind=rng.choice(list(OfferKind.values)),
                fee_kind=rng.choice(list(FeeKind.values)),
                age_min=rng.choice([None, None, 60, 18]),
                walk_in=rng.random() < 0.4,
                by_appointment=rng.random() < 0.6,
                last_verified_at=now - timedelta(days=rng.randint(0, 700)),
            )
            parts = [service.name, service.description, org.name, *(t.name for t in chosen)]
            parts += [p.commune.name for p in places]
            service.search_text = " ".join(normalise(" ".join(parts)))  # as search.document_text writes it
            service.name_text = name_text(service.name)  # as the services write it
            services.append(service)
            extra.append((places, chosen))
        Service.objects.bulk_create(services, batch_size=2000)
        rows = {
            model: [] for model in (ServiceAtLocation, RegularSchedule, ScheduleException, ServiceAccessibility, Phone)
        }
        term_links, area_links = [], []
        for service, (places, chosen) in zip(services, extra, strict=True):
            rows[ServiceAtLocation] += [ServiceAtLocation(service=service, location=p) for p in places]
            rows[Phone].append(Phone(service=service, number=f"03 80 {rng.randint(10, 99)} {rng.randint(10, 99)} 00"))
            if rng.random() < 0.1:  # round the clock (téléassistance, EHPAD)
                spans = [(d, clock(0, 0), clock(23, 59)) for d in range(7)]
            else:
                days = rng.sample(range(6), rng.randint(1, 5))
                spans = [(d, clock(9), clock(12)) for d in days] + [(d, clock(14), clock(17, 30)) for d in days]
            rows[RegularSchedule] += [
                RegularSchedule(service=service, weekday=d, opens_at=o, closes_at=c) for d, o, c in spans
            ]
            if rng.random() < 0.2:
                rows[ScheduleException].append(
                    ScheduleException(
                        service=service,
                        start_date=now.date().replace(month=8, day=1),
                        end_date=now.date().replace(month=8, day=20),
                        description="fermeture estivale",
                    )
                )
            for feature in rng.sample(features, rng.choice([0, 1, 1, 2, 3])):
                rows[ServiceAccessibility].append(ServiceAccessibility(service=service, feature=feature))
            term_links += [Service.terms.through(service_id=service.pk, taxonomyterm_id=t.pk) for t in chosen]
            area_links += [
                Service.communes_served.through(service_id=service.pk, commune_id=c.pk)
                for c in rng.sample(communes, rng.choice([0, 0, 1, 2, 3]))
            ]
        for model, objs in rows.items():
            model.objects.bulk_create(objs, batch_size=2000)
        Service.terms.through.objects.bulk_create(term_links, batch_size=2000)
        Service.communes_served.through.objects.bulk_create(area_links, batch_size=2000)
        print(f"  {offset + len(services):>7} services générés", flush=True)
    service_reach_refresh()  # what the services write with each service, here for all at once
    return user


def searches(count: int, rng: random.Random) -> list[dict]:
    """Q searches mixing text and filters, as staff and the public type them."""
    from maillage.core.models import Commune
    from maillage.directory.enums import AccessibilityFeature, FeeKind, OfferKind, Proximity
    from maillage.directory.models import Taxonomy, TaxonomyTerm

    communes = list(Commune.objects.order_by("-population").values_list("code", flat=True)[:60])
    needs = list(TaxonomyTerm.objects.filter(taxonomy__slug=Taxonomy.NEEDS).values_list("code", flat=True))
    out = []
    for i in range(count):
        params = {}
        if i % 5 != 4:
            params["q"] = rng.choice(SEARCH_TEXTS)
        if rng.random() < 0.6:
            params["commune"] = rng.choice(communes)
            params["proximity"] = rng.choice(list(Proximity.values))
        if rng.random() < 0.35:
            params["need"] = rng.choice(needs)
        if rng.random() < 0.25:
            params["accessibility"] = rng.choice(list(AccessibilityFeature.values))
        if rng.random() < 0.25:
            params["fee"] = rng.choice(list(FeeKind.values))
        if rng.random() < 0.25:
            params["open_now"] = "on"
        if rng.random() < 0.2:
            params["offer_kind"] = rng.choice(list(OfferKind.values))
        out.append(params)
    return out


def page_sql(queryset, params: dict) -> tuple[str, list]:
    """The SQL the search module runs for the page of results of `params` (compiled, not run)."""
    from maillage.directory.forms import SearchForm
    from maillage.directory.search import SearchFilters, search_services

    filters = SearchFilters.from_form(SearchForm(params).filters())
    result = search_services(queryset, filters, with_facets=False)
    return result.page.object_list.query.get_compiler(connection=connection).as_sql()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50_000, help="Nombre de services (50 000 par défaut).")
    parser.add_argument("--queries", type=int, default=200, help="Nombre de recherches par page (200).")
    parser.add_argument("--keep", action="store_true", help="Garder (et réutiliser) la base de banc.")
    parser.add_argument("--explain", action="store_true", help="Afficher les requêtes et le plan des plus lentes.")
    args = parser.parse_args()

    setup_test_environment()
    settings_dict = connection.settings_dict
    base = Path(settings_dict["NAME"]).stem if connection.vendor == "sqlite" else settings_dict["NAME"]
    name = f"test_{base}_bench_search"
    settings_dict.setdefault("TEST", {})["NAME"] = (
        str(Path(tempfile.gettempdir()) / f"{name}.sqlite3") if connection.vendor == "sqlite" else name
    )
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=args.keep, serialize=False)
    try:
        run(args)
    finally:
        if not args.keep:
            connection.creation.destroy_test_db(settings_dict["TEST"]["NAME"], verbosity=0, keepdb=False)


def run(args):
    from maillage.core import access
    from maillage.core.models import User
    from maillage.directory.models import Service
    from tests.conftest import login_verified

    print(f"Base : {connection.vendor}, {connection.settings_dict['NAME']}")
    if Service.objects.count() != args.n:
        Service.objects.all().delete()
        started = time.perf_counter()
        print(f"Génération de {args.n} services…")
        user = generate(args.n)
        print(f"  générés en {time.perf_counter() - started:.0f} s")
    else:
        user = User.objects.get(email="banc-annuaire@exemple.fr")
    with connection.cursor() as cursor:
        # Statistics, and on PostgreSQL the visibility map that index-only scans need (autovacuum's
        # work on a live database; bulk-loaded tables have not had it yet).
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")

    staff, public = Client(), Client()
    login_verified(staff, user)
    pages = [
        ("équipe, fragment htmx", staff, "/annuaire/recherche/", True, access.services_visible_to(user)),
        ("équipe, page complète", staff, "/annuaire/recherche/", False, access.services_visible_to(user)),
        ("public, fragment htmx", public, "/annuaire/public/", True, access.services_public()),
        ("public, page complète", public, "/annuaire/public/", False, access.services_public()),
    ]
    from maillage.directory.search import index as search_index

    search_index.forget()
    started = time.perf_counter()
    index = search_index.usable_index()
    print(f"Index de recherche en mémoire construit en {(time.perf_counter() - started) * 1000:.0f} ms")
    rng = random.Random(3)  # noqa: S311
    mix = searches(args.queries, rng)
    total = Service.objects.count()
    print(f"\n{total} services, {args.queries} recherches par page ({connection.vendor})")
    print("  (texte ± commune et proximité, besoin, accessibilité, tarif, ouvert maintenant, type d'offre)")
    for label, client, url, htmx, queryset in pages:
        headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        assert client.get(url, mix[0], **headers).status_code == 200  # warm-up
        measured, floors, counts, slowest, cold = [], [], [], [], []
        index.forget_texts()  # each page starts with no text match remembered (search_index.text_matches)
        seen = set()
        for params in mix:
            first = params.get("q") not in seen
            seen.add(params.get("q"))
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(url, params, **headers)
                elapsed = (time.perf_counter() - start) * 1000
            assert response.status_code == 200, response.status_code
            measured.append(elapsed)
            if first and params.get("q"):
                cold.append(elapsed)
            counts.append(len(queries))
            slowest.append((elapsed, params, queries.captured_queries))
            try:
                sql, sql_params = page_sql(queryset, params)
            except EmptyResultSet:  # nothing to ask the database (a typo with no close word)
                floors.append(0.0)
                continue
            with connection.cursor() as cursor:
                start = time.perf_counter()
                cursor.execute(sql, sql_params)
                cursor.fetchall()
                floors.append((time.perf_counter() - start) * 1000)
        p50, p95 = statistics.median(measured), percentile(measured, 95)
        f50, f95 = statistics.median(floors), percentile(floors, 95)
        print(
            f"{label:<22} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms | plancher SQL p50 {f50:6.2f} ms p95 {f95:6.2f} ms"
            f" | rapport p95 {p95 / max(f95, 0.001):6.1f} | requêtes {min(counts)}–{max(counts)}"
        )
        print(
            f"{'':<22} dont {len(cold)} premières recherches d'un texte (correspondances à demander à la base) :"
            f" p50 {statistics.median(cold):7.1f} ms  p95 {percentile(cold, 95):7.1f} ms"
        )
        if args.explain:
            explain(max(slowest, key=lambda s: s[0]))
    reset_queries()


def explain(slowest):
    elapsed, params, queries = slowest
    print(f"  la plus lente ({elapsed:.0f} ms) : {params}")
    for q in sorted(queries, key=lambda q: -float(q["time"]))[:4]:
        print(f"    {float(q['time']) * 1000:6.1f} ms  {q['sql'][:300]}")


if __name__ == "__main__":
    main()
