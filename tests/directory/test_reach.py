"""The reach table (ServiceReach) that the search's « local first » ranking and distance filter read:
kept by every write (staff services, import, deletion), and a search over it answers exactly as the
search did when it joined the communes served and the places at each query."""

import datetime
import json
import zoneinfo

import pytest
from django.urls import reverse

from maillage.core.enums import Role
from maillage.core.models import EPCI, Commune
from maillage.directory.enums import Proximity
from maillage.directory.interop.services import directory_import
from maillage.directory.models import Service, ServiceAtLocation, ServiceReach, Taxonomy
from maillage.directory.search import SearchFilters, search_services
from maillage.directory.services import service_create, service_reach_refresh, service_update
from tests.core.factories import CommuneFactory, DepartementFactory, MembershipFactory
from tests.directory.factories import (
    RegularScheduleFactory,
    ScheduleExceptionFactory,
    ServiceAccessibilityFactory,
    ServiceFactory,
    term,
)
from tests.directory.interop_helpers import DATA, communes
from tests.directory.search_paths import PATHS, search_by

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
MONDAY_10H = datetime.datetime(2025, 3, 3, 10, 0, tzinfo=PARIS)


def reach(service) -> set[tuple[str, str | None, str]]:
    rows = ServiceReach.objects.filter(service=service)
    return set(rows.values_list("commune__code", "epci__code", "departement__code"))


@pytest.fixture
def territory():
    cote_dor, saone = DepartementFactory(code="21"), DepartementFactory(code="71", name="Saône-et-Loire")
    metro = EPCI.objects.create(code="242100410", name="Dijon Métropole", kind="METRO")
    beaune_agglo = EPCI.objects.create(code="200006682", name="Beaune Côte et Sud", kind="CA")
    return {
        "dijon": CommuneFactory(code="21231", name="Dijon", epci=metro, departement=cote_dor),
        "talant": CommuneFactory(code="21617", name="Talant", epci=metro, departement=cote_dor),
        "beaune": CommuneFactory(code="21054", name="Beaune", epci=beaune_agglo, departement=cote_dor),
        "semur": CommuneFactory(code="21603", name="Semur-en-Auxois", departement=cote_dor),
        "macon": CommuneFactory(code="71270", name="Mâcon", departement=saone),
    }


@pytest.fixture
def editor():
    return MembershipFactory(role=Role.COORDINATOR)


# --- Kept by every write --------------------------------------------------------------------------


def test_service_create_writes_communes_served_and_place(territory, editor):
    service = service_create(
        actor=editor.user,
        organisation=editor.organisation,
        data={"name": "Portage de repas", "status": "published"},
        communes_served=[territory["talant"], territory["macon"]],
        location={"address": "1 place de la Mairie", "postal_code": "21000", "commune": territory["dijon"]},
    )
    assert reach(service) == {
        ("21231", "242100410", "21"),
        ("21617", "242100410", "21"),
        ("71270", None, "71"),
    }


def test_service_update_rewrites_the_area_and_the_place(territory, editor):
    service = service_create(
        actor=editor.user,
        organisation=editor.organisation,
        data={"name": "Aide à domicile", "status": "published"},
        communes_served=[territory["talant"]],
        location={"address": "2 rue Haute", "postal_code": "21200", "commune": territory["beaune"]},
    )
    service_update(
        actor=editor.user,
        service=service,
        data={},
        communes_served=[territory["semur"]],
        location={"address": "2 rue Haute", "postal_code": "71000", "commune": territory["macon"]},
    )
    assert reach(service) == {("21603", None, "21"), ("71270", None, "71")}
    near_talant = SearchFilters(commune=territory["talant"], proximity=Proximity.EPCI)
    assert search_services(Service.objects.all(), near_talant).page.paginator.count == 0


def test_moving_a_shared_place_moves_every_service_delivered_there(territory, editor):
    service = service_create(
        actor=editor.user,
        organisation=editor.organisation,
        data={"name": "Permanence CCAS", "status": "published"},
        location={"address": "Mairie", "postal_code": "21000", "commune": territory["dijon"]},
    )
    neighbour = ServiceFactory(organisation=editor.organisation, name="Point conseil budget")
    ServiceAtLocation.objects.create(service=neighbour, location=service.locations.get())
    service_reach_refresh(service_ids=[neighbour.pk])
    assert reach(neighbour) == {("21231", "242100410", "21")}

    service_update(
        actor=editor.user,
        service=service,
        data={},
        location={"address": "Mairie", "postal_code": "21200", "commune": territory["beaune"]},
    )
    assert reach(neighbour) == {("21054", "200006682", "21")}


def test_removing_area_and_place_empties_the_reach(territory, editor):
    service = service_create(
        actor=editor.user,
        organisation=editor.organisation,
        data={"name": "Téléassistance", "status": "published"},
        communes_served=[territory["dijon"]],
        location={"address": "3 rue Basse", "postal_code": "21000", "commune": territory["dijon"]},
    )
    service_update(actor=editor.user, service=service, data={}, communes_served=[], location={"address": ""})
    assert reach(service) == set()
    assert search_services(Service.objects.all(), SearchFilters(commune=territory["dijon"])).page.paginator.count == 0


def test_staff_form_edit_updates_the_reach(member_client, territory):
    client, membership = member_client(role=Role.ADMIN)
    service = ServiceFactory(organisation=membership.organisation, communes_served=[territory["dijon"]])
    assert reach(service) == {("21231", "242100410", "21")}
    response = client.post(
        reverse("directory:service_edit", args=[service.pk]),
        {
            "name": service.name,
            "status": "published",
            "offer_kind": "specialised",
            "fee_kind": "free",
            "communes_served": "Macon",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert reach(service) == {("71270", None, "71")}


def test_deleting_a_service_deletes_its_reach(territory):
    service = ServiceFactory(commune=territory["beaune"], communes_served=[territory["dijon"]])
    assert len(reach(service)) == 2
    service.delete()
    assert not ServiceReach.objects.exists()


def test_import_and_reimport_keep_the_reach(tmp_path):
    communes()
    directory_import(format="datainclusion", path_or_files=DATA / "datainclusion")
    aid = Service.objects.get(source_id="cd21--aide-alimentaire")
    rights = Service.objects.get(source_id="cd21--acces-droits")
    assert {c for c, _, _ in reach(aid)} == {"21054"}  # its place
    assert {c for c, _, _ in reach(rights)} >= {"21231"}  # the commune it serves

    folder = tmp_path / "di"
    folder.mkdir()
    services = json.loads((DATA / "datainclusion" / "services.json").read_text())
    for row in services:
        if row["id"] == "cd21--aide-alimentaire":  # moves to Dijon and serves it only
            row.update(zone_eligibilite=["21231"], code_insee="21231", commune="Dijon", code_postal="21000")
    (folder / "services.json").write_text(json.dumps(services), encoding="utf-8")
    (folder / "structures.json").write_text((DATA / "datainclusion" / "structures.json").read_text())
    directory_import(format="datainclusion", path_or_files=folder)
    assert {c for c, _, _ in reach(aid)} == {"21231"}
    dijon = Commune.objects.get(code="21231")
    near_dijon = SearchFilters(commune=dijon, proximity=Proximity.COMMUNE)
    assert {s.name for s in search_services(Service.objects.all(), near_dijon).page} == {aid.name, rights.name}


def test_full_refresh_rebuilds_what_the_writes_keep(territory):
    a = ServiceFactory(commune=territory["beaune"], communes_served=[territory["dijon"], territory["macon"]])
    b = ServiceFactory(communes_served=[territory["talant"]])
    before = set(ServiceReach.objects.values_list("service_id", "commune_id", "epci_id", "departement_id"))
    ServiceReach.objects.all().delete()
    service_reach_refresh()
    after = set(ServiceReach.objects.values_list("service_id", "commune_id", "epci_id", "departement_id"))
    assert after == before and {s for s, *_ in after} == {a.pk, b.pk}


# --- Same answers as before the reach table ------------------------------------------------------


def _directory(t):
    """A small directory where every ranking key and every filter matters."""
    nourrir, parler = term(Taxonomy.NEEDS, "se-nourrir"), term(Taxonomy.NEEDS, "parler-avec-autrui")
    domicile, agees = term(Taxonomy.DOMAINS, "maintien-a-domicile"), term(Taxonomy.PUBLICS, "personnes-agees")
    old = MONDAY_10H - datetime.timedelta(days=500)
    specs = [
        # name, place, communes served, terms, fee, offer kind, verified long ago, open, features, age band
        ("Portage de repas Dijon", "dijon", [], [nourrir, domicile], "paid", "specialised", False, True, [], None),
        (
            "Portage de repas Talant",
            "talant",
            [],
            [nourrir, agees],
            "free",
            "volunteer",
            True,
            False,
            ["easy_read"],
            None,
        ),
        ("Épicerie solidaire", "beaune", ["dijon"], [nourrir], "means_tested", "specialised", False, False, [], None),
        (
            "Visites de convivialité",
            "semur",
            [],
            [parler, agees],
            "free",
            "volunteer",
            False,
            True,
            ["step_free"],
            (60, None),
        ),
        (
            "Aide à domicile du canton",
            None,
            ["talant", "beaune"],
            [domicile],
            "paid",
            "specialised",
            True,
            True,
            [],
            (18, 59),
        ),
        (
            "Repas à domicile Mâcon",
            "macon",
            [],
            [nourrir, domicile],
            "free",
            "ordinary_accessible",
            False,
            True,
            ["step_free", "easy_read"],
            None,
        ),
        (
            "Groupe de parole des aidants",
            "dijon",
            ["macon"],
            [parler],
            "free",
            "volunteer",
            False,
            False,
            ["step_free"],
            None,
        ),
        ("Atelier numérique", None, [], [parler], "free", "ordinary_accessible", False, True, [], None),
        (
            "Livraison de courses",
            "talant",
            ["semur"],
            [nourrir, domicile, agees],
            "means_tested",
            "volunteer",
            True,
            True,
            ["easy_read"],
            (60, None),
        ),
        ("Téléassistance", "beaune", [], [domicile], "paid", "specialised", False, True, ["home_visits"], None),
    ]
    for name, place, served, terms, fee, kind, stale, is_open, features, ages in specs:
        service = ServiceFactory(
            name=name,
            description=name,  # not a random sentence: « repos » would match « repas » (typos forgiven)
            commune=t[place] if place else None,
            communes_served=[t[c] for c in served],
            terms=terms,
            fee_kind=fee,
            offer_kind=kind,
            last_verified_at=old if stale else MONDAY_10H - datetime.timedelta(days=3),
            age_min=ages[0] if ages else None,
            age_max=ages[1] if ages else None,
        )
        if is_open:
            RegularScheduleFactory(service=service, weekday=0)
        else:
            RegularScheduleFactory(service=service, weekday=1)
        for feature in features:
            ServiceAccessibilityFactory(service=service, feature=feature)
    closed = Service.objects.get(name="Téléassistance")
    ScheduleExceptionFactory(service=closed, start_date=datetime.date(2025, 3, 1), end_date=datetime.date(2025, 3, 5))


SEARCHES = {
    "everything": {},
    "text": {"q": "repas"},
    "text-synonym": {"q": "livraison de repas"},
    "commune": {"commune": "dijon", "proximity": Proximity.COMMUNE},
    "epci": {"commune": "dijon", "proximity": Proximity.EPCI},
    "departement": {"commune": "dijon"},
    "commune-without-epci": {"commune": "semur", "proximity": Proximity.EPCI},
    "need-in-departement": {"commune": "talant", "need": "se-nourrir"},
    "many-filters": {"need": "se-nourrir", "fee": "free", "open_now": True, "accessibility": "easy_read"},
    "kind-domain-public": {"offer_kind": "volunteer", "domain": "maintien-a-domicile", "public": "personnes-agees"},
    "age": {"age": 70, "commune": "beaune"},
    "text-and-filters": {"q": "domicile", "commune": "talant", "proximity": Proximity.EPCI, "open_now": True},
    "typo": {"q": "convivialte"},
    "typo-without-close-word": {"q": "zzzzqx"},
}


def _answer(t, params, path: str) -> dict:
    params = dict(params)
    if "commune" in params:
        params["commune"] = t[params["commune"]]
    result = search_by(path, SearchFilters(**params), page_size=50, now=MONDAY_10H)
    facets = {name: {v.value: v.count for v in values if v.count} for name, values in result.facets.items()}
    return {"names": [s.name for s in result.page], "count": result.page.paginator.count, "facets": facets}


# What the search answered before the reach table, on SQLite and PostgreSQL alike (recorded with the
# previous search module, which joined the communes served and the places at each query).
EXPECTED = {
    "everything": {
        "names": [
            "Atelier numérique",
            "Portage de repas Dijon",
            "Repas à domicile Mâcon",
            "Visites de convivialité",
            "Groupe de parole des aidants",
            "Téléassistance",
            "Épicerie solidaire",
            "Aide à domicile du canton",
            "Livraison de courses",
            "Portage de repas Talant",
        ],
        "count": 10,
        "facets": {
            "need": {"se-nourrir": 5, "parler-avec-autrui": 3},
            "domain": {"maintien-a-domicile": 5},
            "public": {"personnes-agees": 3},
            "accessibility": {"step_free": 3, "easy_read": 3, "home_visits": 1},
            "fee": {"free": 5, "paid": 3, "means_tested": 2},
            "offer_kind": {"specialised": 4, "ordinary_accessible": 2, "volunteer": 4},
            "open_now": {"1": 6},
        },
    },
    "text": {
        "names": ["Portage de repas Dijon", "Repas à domicile Mâcon", "Portage de repas Talant"],
        "count": 3,
        "facets": {
            "need": {"se-nourrir": 3},
            "domain": {"maintien-a-domicile": 2},
            "public": {"personnes-agees": 1},
            "accessibility": {"step_free": 1, "easy_read": 2},
            "fee": {"free": 2, "paid": 1},
            "offer_kind": {"specialised": 1, "ordinary_accessible": 1, "volunteer": 1},
            "open_now": {"1": 2},
        },
    },
    "text-synonym": {
        "names": ["Portage de repas Dijon", "Repas à domicile Mâcon", "Portage de repas Talant"],
        "count": 3,
        "facets": {
            "need": {"se-nourrir": 3},
            "domain": {"maintien-a-domicile": 2},
            "public": {"personnes-agees": 1},
            "accessibility": {"step_free": 1, "easy_read": 2},
            "fee": {"free": 2, "paid": 1},
            "offer_kind": {"specialised": 1, "ordinary_accessible": 1, "volunteer": 1},
            "open_now": {"1": 2},
        },
    },
    "commune": {
        "names": ["Portage de repas Dijon", "Groupe de parole des aidants", "Épicerie solidaire"],
        "count": 3,
        "facets": {
            "need": {"se-nourrir": 2, "parler-avec-autrui": 1},
            "domain": {"maintien-a-domicile": 1},
            "public": {},
            "accessibility": {"step_free": 1},
            "fee": {"free": 1, "paid": 1, "means_tested": 1},
            "offer_kind": {"specialised": 2, "volunteer": 1},
            "open_now": {"1": 1},
        },
    },
    "epci": {
        "names": [
            "Portage de repas Dijon",
            "Groupe de parole des aidants",
            "Épicerie solidaire",
            "Aide à domicile du canton",
            "Livraison de courses",
            "Portage de repas Talant",
        ],
        "count": 6,
        "facets": {
            "need": {"se-nourrir": 4, "parler-avec-autrui": 1},
            "domain": {"maintien-a-domicile": 3},
            "public": {"personnes-agees": 2},
            "accessibility": {"step_free": 1, "easy_read": 2},
            "fee": {"free": 2, "paid": 2, "means_tested": 2},
            "offer_kind": {"specialised": 3, "volunteer": 3},
            "open_now": {"1": 3},
        },
    },
    "departement": {
        "names": [
            "Portage de repas Dijon",
            "Groupe de parole des aidants",
            "Épicerie solidaire",
            "Aide à domicile du canton",
            "Livraison de courses",
            "Portage de repas Talant",
            "Visites de convivialité",
            "Téléassistance",
        ],
        "count": 8,
        "facets": {
            "need": {"se-nourrir": 4, "parler-avec-autrui": 2},
            "domain": {"maintien-a-domicile": 4},
            "public": {"personnes-agees": 3},
            "accessibility": {"step_free": 2, "easy_read": 2, "home_visits": 1},
            "fee": {"free": 3, "paid": 3, "means_tested": 2},
            "offer_kind": {"specialised": 4, "volunteer": 4},
            "open_now": {"1": 4},
        },
    },
    "commune-without-epci": {
        "names": ["Visites de convivialité", "Livraison de courses"],
        "count": 2,
        "facets": {
            "need": {"se-nourrir": 1, "parler-avec-autrui": 1},
            "domain": {"maintien-a-domicile": 1},
            "public": {"personnes-agees": 2},
            "accessibility": {"step_free": 1, "easy_read": 1},
            "fee": {"free": 1, "means_tested": 1},
            "offer_kind": {"volunteer": 2},
            "open_now": {"1": 2},
        },
    },
    "need-in-departement": {
        "names": ["Livraison de courses", "Portage de repas Talant", "Portage de repas Dijon", "Épicerie solidaire"],
        "count": 4,
        "facets": {
            "need": {"se-nourrir": 4, "parler-avec-autrui": 2},
            "domain": {"maintien-a-domicile": 2},
            "public": {"personnes-agees": 2},
            "accessibility": {"easy_read": 2},
            "fee": {"free": 1, "paid": 1, "means_tested": 2},
            "offer_kind": {"specialised": 2, "volunteer": 2},
            "open_now": {"1": 2},
        },
    },
    "many-filters": {
        "names": ["Repas à domicile Mâcon"],
        "count": 1,
        "facets": {
            "need": {"se-nourrir": 1},
            "domain": {"maintien-a-domicile": 1},
            "public": {},
            "accessibility": {"step_free": 1, "easy_read": 1},
            "fee": {"free": 1, "means_tested": 1},
            "offer_kind": {"ordinary_accessible": 1},
            "open_now": {"1": 1},
        },
    },
    "kind-domain-public": {
        "names": ["Livraison de courses"],
        "count": 1,
        "facets": {
            "need": {"se-nourrir": 1},
            "domain": {"maintien-a-domicile": 1},
            "public": {"personnes-agees": 1},
            "accessibility": {"easy_read": 1},
            "fee": {"means_tested": 1},
            "offer_kind": {"volunteer": 1},
            "open_now": {"1": 1},
        },
    },
    "age": {
        "names": [
            "Téléassistance",
            "Épicerie solidaire",
            "Portage de repas Dijon",
            "Visites de convivialité",
            "Groupe de parole des aidants",
            "Livraison de courses",
            "Portage de repas Talant",
        ],
        "count": 7,
        "facets": {
            "need": {"se-nourrir": 4, "parler-avec-autrui": 2},
            "domain": {"maintien-a-domicile": 3},
            "public": {"personnes-agees": 3},
            "accessibility": {"step_free": 2, "easy_read": 2, "home_visits": 1},
            "fee": {"free": 3, "paid": 2, "means_tested": 2},
            "offer_kind": {"specialised": 3, "volunteer": 4},
            "open_now": {"1": 3},
        },
    },
    "text-and-filters": {
        "names": ["Aide à domicile du canton", "Livraison de courses", "Portage de repas Dijon"],
        "count": 3,
        "facets": {
            "need": {"se-nourrir": 2},
            "domain": {"maintien-a-domicile": 3},
            "public": {"personnes-agees": 1},
            "accessibility": {"easy_read": 1},
            "fee": {"paid": 2, "means_tested": 1},
            "offer_kind": {"specialised": 2, "volunteer": 1},
            "open_now": {"1": 3},
        },
    },
    "typo": {
        "names": ["Visites de convivialité"],
        "count": 1,
        "facets": {
            "need": {"parler-avec-autrui": 1},
            "domain": {},
            "public": {"personnes-agees": 1},
            "accessibility": {"step_free": 1},
            "fee": {"free": 1},
            "offer_kind": {"volunteer": 1},
            "open_now": {"1": 1},
        },
    },
    "typo-without-close-word": {
        "names": [],
        "count": 0,
        "facets": {
            "need": {},
            "domain": {},
            "public": {},
            "accessibility": {},
            "fee": {},
            "offer_kind": {},
            "open_now": {},
        },
    },
}


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("case", list(SEARCHES))
def test_search_answers_as_before_the_reach_table(territory, case, path):
    _directory(territory)
    answer = _answer(territory, SEARCHES[case], path)
    assert answer == EXPECTED[case]
