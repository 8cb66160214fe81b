"""The public directory API (/api/v1/, HSDS 3 names): published services only, HSDS paging,
French errors {message, extra}, and an OpenAPI 3.1 description that lists every route."""

import pytest
from django.urls import URLPattern, reverse
from openapi_spec_validator import validate

from maillage.core.models import Commune
from maillage.directory import api_urls
from maillage.directory.apis import MAX_PER_PAGE
from maillage.referrals import api_urls as referrals_api_urls
from maillage.register import api_urls as register_api_urls
from tests.core.factories import CommuneFactory, OrganisationFactory
from tests.directory.factories import (
    PhoneFactory,
    RegularScheduleFactory,
    ScheduleExceptionFactory,
    ServiceAccessibilityFactory,
    ServiceFactory,
    term,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def dijon():
    return Commune.objects.filter(code="21231").first() or CommuneFactory(code="21231", name="Dijon")


@pytest.fixture
def published(dijon):
    service = ServiceFactory(
        name="Portage de repas à domicile",
        description="Repas livrés chaque midi.",
        commune=dijon,
        communes_served=[dijon],
        terms=[term("besoins-essentiels", "se-nourrir")],
    )
    PhoneFactory(service=service, number="03 80 11 22 33", description="Accueil")
    RegularScheduleFactory(service=service)
    ScheduleExceptionFactory(service=service)
    ServiceAccessibilityFactory(service=service, feature="step_free")
    return service


@pytest.fixture
def draft(published):
    return ServiceFactory(name="Portage de repas secret", draft=True, organisation=published.organisation)


def test_anyone_lists_published_services_never_drafts(client, published, draft):
    body = client.get("/api/v1/services").json()
    assert [item["name"] for item in body["contents"]] == ["Portage de repas à domicile"]
    assert body["contents"][0]["status"] == "active"
    assert {k: body[k] for k in ("total_items", "total_pages", "page_number", "size")} == {
        "total_items": 1,
        "total_pages": 1,
        "page_number": 1,
        "size": 1,
    }
    assert body["first_page"] and body["last_page"] and not body["empty"]
    assert "secret" not in client.get("/api/v1/services?q=portage").content.decode()


def test_services_search_commune_and_need(client, published, dijon):
    other = ServiceFactory(name="Repas partagés", commune=CommuneFactory(code="21054", name="Beaune"))
    names = lambda **params: [s["name"] for s in client.get("/api/v1/services", params).json()["contents"]]  # noqa: E731
    assert names(q="portage de repas") == ["Portage de repas à domicile"]
    assert names(commune="21231") == ["Portage de repas à domicile"]
    assert names(need="se-nourrir") == ["Portage de repas à domicile"]
    assert names(commune="21054") == [other.name]
    assert names(organization_id=str(other.organisation_id)) == [other.name]


@pytest.mark.parametrize(
    "q", ["'; DROP TABLE directory_service; --", '"portage" AND (', "NEAR(", "*", "émoji 🍲", "x" * 1000, "%_\\"]
)
def test_odd_characters_in_q_never_fail(client, published, q):
    response = client.get("/api/v1/services", {"q": q})
    assert response.status_code == 200
    assert "contents" in response.json()


def test_paging_is_bounded_and_past_the_end_is_empty(client):
    for i in range(3):
        ServiceFactory(name=f"Service {i}")
    body = client.get("/api/v1/services", {"per_page": 100000}).json()
    assert body["size"] == 3 and body["total_pages"] == 1
    body = client.get("/api/v1/services", {"per_page": 2, "page": 2}).json()
    assert (body["size"], body["total_pages"], body["first_page"], body["last_page"]) == (1, 2, False, True)
    body = client.get("/api/v1/services", {"per_page": 2, "page": 50}).json()
    assert body["empty"] is True and body["contents"] == [] and body["page_number"] == 50
    assert MAX_PER_PAGE == 100


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": "0"}, "page"),
        ({"page": "abc"}, "page"),
        ({"per_page": "-5"}, "per_page"),
        ({"commune": "99999"}, "commune"),
        ({"need": "inconnu"}, "need"),
        ({"proximity": "galaxie"}, "proximity"),
        ({"organization_id": "abc"}, "organization_id"),
    ],
)
def test_bad_parameters_answer_400_in_french(client, params, field):
    response = client.get("/api/v1/services", params)
    assert response.status_code == 400
    body = response.json()
    assert body["message"] == "Paramètres invalides."
    assert set(body["extra"]) == {field}


def test_service_detail_is_fully_nested(client, published):
    body = client.get(f"/api/v1/services/{published.pk}").json()
    assert body["id"] == str(published.pk)
    assert body["organization"]["name"] == published.organisation.name
    assert body["phones"][0]["number"] == "03 80 11 22 33"
    assert {s["byday"] for s in body["schedules"] if s["freq"]} == {"MO"}
    assert any(s["notes"] == "fermé" and s["valid_from"] for s in body["schedules"])
    assert body["service_areas"][0]["extent"] == "21231"
    address = body["service_at_locations"][0]["location"]["addresses"][0]
    assert (address["city"], address["region"], address["country"]) == ("Dijon", "21231", "FR")
    assert body["attributes"][0]["taxonomy_term"]["code"] == "se-nourrir"
    assert body["accessibility"][0]["description"] == "Accès de plain-pied ou ascenseur"


def test_draft_and_absent_service_answer_the_same_404(client, draft):
    for pk in (draft.pk, 999999):
        response = client.get(f"/api/v1/services/{pk}")
        assert response.status_code == 404
        assert response.json() == {"message": "Service introuvable.", "extra": {}}
    response = client.get("/api/v1/nulle-part")
    assert response.status_code == 404 and set(response.json()) == {"message", "extra"}


def test_only_organisations_with_published_services_are_listed(client, published, draft):
    silent = OrganisationFactory(name="Structure sans service publié")
    ServiceFactory(organisation=silent, draft=True)
    body = client.get("/api/v1/organizations").json()
    assert [o["name"] for o in body["contents"]] == [published.organisation.name]
    detail = client.get(f"/api/v1/organizations/{published.organisation.pk}").json()
    assert [s["name"] for s in detail["services"]] == [published.name]
    assert client.get(f"/api/v1/organizations/{silent.pk}").status_code == 404


def test_taxonomies_and_terms(client):
    body = client.get("/api/v1/taxonomies").json()
    assert "besoins-essentiels" in {t["id"] for t in body["contents"]}
    body = client.get("/api/v1/taxonomy_terms", {"taxonomy_id": "besoins-essentiels"}).json()
    assert body["total_items"] == 10
    assert body["contents"][0]["code"] == "se-nourrir"
    assert client.get("/api/v1/taxonomy_terms", {"taxonomy_id": "inconnu"}).status_code == 400


def test_only_get_is_allowed(client):
    response = client.post("/api/v1/services")
    assert response.status_code == 405
    assert set(response.json()) == {"message", "extra"}


def test_openapi_document_is_valid_and_lists_every_route(client):
    document = client.get("/api/v1/openapi.json").json()
    validate(document)
    assert document["openapi"].startswith("3.1")
    routes = set()
    # The directory's routes and, under the same /api/v1, the callers' (register.api_urls) and the
    # partners' (referrals.api_urls).
    for namespace, urls in (
        ("api", api_urls),
        ("register_api", register_api_urls),
        ("referrals_api", referrals_api_urls),
    ):
        for pattern in urls.urlpatterns:
            if isinstance(pattern, URLPattern) and pattern.name:
                kwargs = {"pk": 1} if "<int:pk>" in str(pattern.pattern) else {}
                path = reverse(f"{namespace}:{pattern.name}", kwargs=kwargs).removeprefix("/api/v1")
                routes.add(path.replace("/1", "/{id}") or "/")
    assert routes == set(document["paths"])
    for path_item in document["paths"].values():
        for operation in path_item.values():
            if operation["tags"] in (["annuaire"], ["appels"], ["orientations"]):
                assert operation["responses"]["200"]["content"]["application/json"]["example"]


def test_documentation_page_describes_every_endpoint(client):
    page = client.get("/api/v1/").content.decode()
    for path in (
        "/services",
        "/services/{id}",
        "/organizations",
        "/organizations/{id}",
        "/taxonomies",
        "/taxonomy_terms",
    ):
        assert f"GET /api/v1{path}</code>" in page
    assert "openapi.json" in page
    # The callers' API (register) is on the same page, with its authentication and its errors.
    for path in ("/campaigns/{id}/next-call", "/calls/{id}/outcome"):
        assert f"POST /api/v1{path}</code>" in page
    assert "X-CSRFToken" in page and "Idempotency-Key" in page
    assert "<td>409</td>" in page and "<td>401</td>" in page
    index = client.get("/api/v1/", HTTP_ACCEPT="application/json").json()
    assert index["openapi_url"].endswith("/api/v1/openapi.json")


def test_service_list_query_count_does_not_grow(client, django_assert_max_num_queries, settings):
    # The rate limit's counter lives in the cache (a database table in production): counted apart.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    for i in range(15):
        ServiceFactory(name=f"Service {i}")
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/services", {"per_page": 15}).json()["size"] == 15
