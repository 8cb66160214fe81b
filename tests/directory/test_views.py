import pytest
from django.urls import reverse

from maillage.core.enums import Role
from maillage.core.models import AuditLogEntry
from maillage.directory.models import Service, Taxonomy
from tests.core.factories import CommuneFactory
from tests.directory.factories import ServiceFactory, term

pytestmark = pytest.mark.django_db

EDITORS = [Role.ADMIN, Role.COORDINATOR, Role.RECEPTION_AGENT, Role.PARTNER]
NON_EDITORS = [Role.VOLUNTEER, Role.DIRECTOR, Role.DPO, Role.REGISTER_MANAGER]


@pytest.mark.parametrize("role", [pytest.param(r, id=r.value) for r in EDITORS])
def test_editor_can_edit_own_service(member_client, role):
    client, membership = member_client(role=role)
    service = ServiceFactory(organisation=membership.organisation)
    response = client.get(reverse("directory:service_edit", args=[service.pk]))
    assert response.status_code == 200
    response = client.post(
        reverse("directory:service_edit", args=[service.pk]),
        {"name": "Nouveau nom", "status": "published", "offer_kind": "specialised", "fee_kind": "free"},
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.name == "Nouveau nom"


@pytest.mark.parametrize("role", [pytest.param(r, id=r.value) for r in NON_EDITORS])
def test_non_editor_cannot_edit_or_create(member_client, role):
    client, membership = member_client(role=role)
    service = ServiceFactory(organisation=membership.organisation)
    assert client.get(reverse("directory:service_edit", args=[service.pk])).status_code == 404
    assert client.post(reverse("directory:service_verify", args=[service.pk])).status_code == 404
    assert client.get(reverse("directory:service_create")).status_code == 404


def test_editor_cannot_edit_another_organisations_service(member_client):
    client, _ = member_client(role=Role.ADMIN)
    other = ServiceFactory()
    assert client.get(reverse("directory:service_edit", args=[other.pk])).status_code == 404
    assert client.post(reverse("directory:service_verify", args=[other.pk])).status_code == 404


def test_create_service_with_french_errors_and_duplicate_warning(member_client):
    client, membership = member_client(role=Role.COORDINATOR)
    commune = CommuneFactory(code="21231", name="Dijon")
    ServiceFactory(name="Portage de repas", commune=commune)
    url = reverse("directory:service_create")
    data = {
        "name": "Portage des repas",
        "status": "published",
        "offer_kind": "specialised",
        "fee_kind": "free",
        "address": "1 place de la Mairie",
        "postal_code": "21000",
        "commune": "Dijon (21000)",
        "needs": [term(Taxonomy.NEEDS, "se-nourrir").pk],
        "accessibility": ["step_free"],
        "age_min": "70",
        "age_max": "60",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Ce service existe peut-être déjà" in content
    assert "âge maximum doit être supérieur" in content or "L&#x27;âge maximum" in content
    data.update(age_max="99", confirm_not_duplicate="on")
    response = client.post(url, data)
    assert response.status_code == 302
    service = Service.objects.get(name="Portage des repas")
    assert service.organisation == membership.organisation
    assert service.locations.get().commune == commune
    assert AuditLogEntry.objects.filter(object_pk=str(service.pk), actor=membership.user).exists()


def test_unknown_commune_is_reported_in_french_and_the_text_kept(member_client):
    client, _ = member_client(role=Role.ADMIN)
    CommuneFactory(code="21231", name="Dijon")
    response = client.post(
        reverse("directory:service_create"),
        {
            "name": "X",
            "status": "draft",
            "offer_kind": "specialised",
            "fee_kind": "free",
            "communes_served": "Dijon\nTrifouillis-les-Oies",
        },
    )
    content = response.content.decode()
    assert "Aucune commune ne s&#x27;appelle « Trifouillis-les-Oies »" in content
    assert "Dijon\nTrifouillis-les-Oies</textarea>" in content  # nothing lost


def test_mark_verified(member_client):
    client, membership = member_client(role=Role.RECEPTION_AGENT)
    service = ServiceFactory(organisation=membership.organisation, stale=True)
    response = client.post(reverse("directory:service_verify", args=[service.pk]))
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.last_verified_by == membership.user


def test_service_list_shows_stale_flag_and_only_own_services(member_client):
    client, membership = member_client(role=Role.VOLUNTEER)
    ServiceFactory(organisation=membership.organisation, name="Ancien", stale=True)
    ServiceFactory(name="Chez les autres")
    content = client.get(reverse("directory:service_list")).content.decode()
    assert "Ancien" in content and "À vérifier" in content
    assert "Chez les autres" not in content


def test_draft_hidden_from_other_organisations_and_public(member_client, client):
    draft = ServiceFactory(name="Brouillon secret", draft=True)
    assert client.get(reverse("directory:public_service_detail", args=[draft.pk])).status_code == 404
    assert "Brouillon secret" not in client.get(reverse("directory:public_search")).content.decode()
    staff, _ = member_client(role=Role.ADMIN)
    assert staff.get(reverse("directory:service_detail", args=[draft.pk])).status_code == 404
    assert "Brouillon secret" not in staff.get(reverse("directory:search")).content.decode()


def test_own_draft_found_by_staff_search(member_client):
    client, membership = member_client(role=Role.VOLUNTEER)
    ServiceFactory(organisation=membership.organisation, name="Brouillon maison", draft=True)
    assert "Brouillon maison" in client.get(reverse("directory:search"), {"q": "brouillon"}).content.decode()


def test_anonymous_public_search_and_detail(client):
    service = ServiceFactory(name="Portage de repas à domicile", description="Livré chaque midi.")
    response = client.get(reverse("directory:public_search"), {"q": "livraison de repas"})
    assert response.status_code == 200
    assert "Portage de repas à domicile" in response.content.decode()
    response = client.get(reverse("directory:public_service_detail", args=[service.pk]))
    assert response.status_code == 200
    assert "Livré chaque midi." in response.content.decode()


def test_anonymous_cannot_reach_staff_pages(client):
    service = ServiceFactory()
    for url in [
        reverse("directory:search"),
        reverse("directory:service_list"),
        reverse("directory:service_detail", args=[service.pk]),
    ]:
        assert client.get(url).status_code == 302


@pytest.mark.parametrize("query", ["<script>", "%00", "é" * 300, "\x00", "((("])
def test_public_search_odd_input_never_errors(client, query):
    ServiceFactory()
    assert client.get(reverse("directory:public_search"), {"q": query, "commune": "!!", "age": "x"}).status_code == 200


def _fragment(html: str) -> str:
    start = html.index('<div id="resultats" aria-live="polite">') + len('<div id="resultats" aria-live="polite">')
    end = html.index("</main>")
    return html[start:end].rsplit("</div>", 1)[0].strip()


def test_htmx_fragment_equals_the_fragment_of_the_full_page(client):
    ServiceFactory(name="Portage de repas", terms=[term(Taxonomy.NEEDS, "se-nourrir")])
    ServiceFactory(name="Club de lecture")
    url = reverse("directory:public_search")
    params = {"q": "repas", "need": "se-nourrir"}
    full = client.get(url, params).content.decode()
    fragment = client.get(url, params, headers={"HX-Request": "true"}).content.decode()
    assert "Portage de repas" in fragment and "Club de lecture" not in fragment
    assert fragment.strip() == _fragment(full)


def _public_search_queries(client, commune) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    params = {"q": "portage repas", "commune": commune.code, "need": "se-nourrir", "open_now": "on"}
    with CaptureQueriesContext(connection) as queries:
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            assert client.get(reverse("directory:public_search"), params, **headers).status_code == 200
    return len(queries)


def test_search_query_count_does_not_grow_with_the_results(client, django_assert_max_num_queries):
    """The results page reads each service's organisation, places and communes in a fixed number of
    queries, and the facets in one query per family (maillage.directory.search)."""
    from tests.directory.factories import LocationFactory, RegularScheduleFactory, ServiceAccessibilityFactory

    commune = CommuneFactory()
    nourrir = term(Taxonomy.NEEDS, "se-nourrir")

    def add(count):
        for i in range(count):
            service = ServiceFactory(name=f"Portage de repas {i}", terms=[nourrir], commune=commune)
            LocationFactory.create_batch(2, organisation=service.organisation, commune=commune)
            for location in service.organisation.directory_locations.all():
                service.service_at_locations.get_or_create(location=location)
            ServiceAccessibilityFactory(service=service)
            for weekday in range(7):
                RegularScheduleFactory(service=service, weekday=weekday)

    add(2)
    few = _public_search_queries(client, commune)
    add(18)
    with django_assert_max_num_queries(few):
        many = _public_search_queries(client, commune)
    assert many == few
    with django_assert_max_num_queries(14):  # one page: full page or htmx fragment
        client.get(reverse("directory:public_search"), {"q": "repas", "commune": commune.code})


def test_public_search_takes_a_commune_name_and_says_when_it_is_unknown(client):
    from tests.core.factories import CommuneFactory, DepartementFactory

    saone = DepartementFactory(code="71", name="Saône-et-Loire")
    macon = CommuneFactory(code="71270", name="Mâcon", postal_codes=["71000"], departement=saone)
    ServiceFactory(name="Portage de repas mâconnais", commune=macon)
    ServiceFactory(name="Portage de repas ailleurs", commune=CommuneFactory(code="71076", departement=saone))
    response = client.get(
        reverse("directory:public_search"), {"q": "repas", "commune": "macon", "proximity": "commune"}
    )
    assert response.status_code == 200
    assert [s.name for s in response.context["page_obj"]] == ["Portage de repas mâconnais"]
    response = client.get(reverse("directory:public_search"), {"q": "repas", "commune": "Mâconville"})
    assert response.status_code == 200
    assert "Aucune commune ne s&#x27;appelle « Mâconville »" in response.content.decode()
    assert response.context["page_obj"].paginator.count == 2  # the rest of the search still runs
