"""The reception screen, end to end through the Django client, under the access policy; the request list."""

import pytest
from django.urls import reverse

from maillage.casework.models import Request
from maillage.casework.models.requests import RequestChannel, RequesterKind
from maillage.core.enums import Role
from maillage.directory.models import Taxonomy
from tests.casework.factories import RequestFactory, care_team_place
from tests.core.factories import OrganisationFactory
from tests.directory.factories import ServiceFactory, term
from tests.people.factories import PersonAddressFactory, PersonFactory

pytestmark = pytest.mark.django_db

RECEPTION = "/accueil/"


@pytest.fixture
def agent(member_client):
    client, membership = member_client(role=Role.RECEPTION_AGENT)
    return client, membership


def _post(client, **data):
    payload = {
        "requester_kind": RequesterKind.PERSON,
        "channel": RequestChannel.PHONE,
        "level": "1",
        "outcome": "answered",
        "time_spent_minutes": "5",
    }
    payload.update(data)
    return client.post(reverse("casework:reception"), payload)


def test_reception_url():
    assert reverse("casework:reception") == RECEPTION
    assert reverse("casework:timeline", kwargs={"pk": 3}) == "/personnes/3/chronologie/"


def test_reception_flow_find_log_and_hand_over_two_services(agent):
    client, membership = agent
    person = PersonFactory(organisation=membership.organisation, last_name="Dupont", first_names="Jeanne")
    PersonAddressFactory(person=person)
    PersonFactory(last_name="Dupont", first_names="Secrète")  # another organisation's person
    meals = ServiceFactory(name="Portage de repas à domicile", description="Livraison de repas")
    transport = ServiceFactory(name="Transport accompagné", description="Transport solidaire")

    page = client.get(RECEPTION)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="recherche-personne"' in body and "autofocus" in body
    assert 'value="phone"' in body  # channel radios, phone checked by default
    assert "Demande anonyme" in body

    found = client.get(reverse("casework:reception_persons"), {"q": "dupont"}, headers={"HX-Request": "true"})
    assert found.status_code == 200
    assert f'value="{person.pk}"' in found.content.decode()
    assert "Secrète" not in found.content.decode()  # the access policy scopes the search

    services = client.get(reverse("casework:reception_services"), {"sq": "repas"}, headers={"HX-Request": "true"})
    assert f'value="{meals.pk}"' in services.content.decode()
    # Searching again keeps the ticked service, checked, at the top.
    again = client.get(
        reverse("casework:reception_services"),
        {"sq": "transport", "services_given": [meals.pk]},
        headers={"HX-Request": "true"},
    )
    html = again.content.decode()
    assert f'value="{meals.pk}" form="form-demande" checked' in html
    assert f'value="{transport.pk}"' in html

    need = term(Taxonomy.NEEDS, "se-nourrir")
    response = _post(client, person=person.pk, subjects=[need.pk], services_given=[meals.pk, transport.pk])
    assert response.status_code == 302
    request = Request.objects.get()
    assert response["Location"] == f"{RECEPTION}?demande={request.pk}"
    assert request.person == person
    assert request.channel == RequestChannel.PHONE
    assert set(request.services_given.all()) == {meals, transport}

    confirmation = client.get(response["Location"])
    text = confirmation.content.decode()
    assert "Demande enregistrée" in text
    assert "Portage de repas à domicile" in text and "Transport accompagné" in text
    assert f"{reverse('directory:search_print')}?service={meals.pk}&amp;service={transport.pk}" in text or (
        f"service={transport.pk}&amp;service={meals.pk}" in text
    )
    assert reverse("casework:timeline", args=[person.pk]) in text
    # The screen is fresh for the next caller: empty search, focus on it.
    assert 'name="q" value=""' in text and "autofocus" in text


def test_reception_logs_an_anonymous_request(agent):
    client, membership = agent
    response = _post(client, person="anonymous")
    assert response.status_code == 302
    request = Request.objects.get()
    assert request.person is None
    assert request.requester_kind == RequesterKind.ANONYMOUS


def test_reception_without_person_says_what_to_do(agent):
    client, _ = agent
    response = _post(client, time_spent_minutes="900")
    assert response.status_code == 200
    text = response.content.decode()
    assert "La demande n'est pas enregistrée" in text
    assert "Aucune personne n&#x27;est choisie" in text or "Aucune personne n'est choisie" in text
    assert "Le temps passé ne peut pas dépasser 600 minutes" in text
    assert not Request.objects.exists()


def test_reception_refuses_a_person_of_another_organisation(agent):
    client, _ = agent
    stranger = PersonFactory(organisation=OrganisationFactory())
    response = _post(client, person=stranger.pk)
    assert response.status_code == 200
    assert "Cette personne est introuvable" in response.content.decode()
    assert not Request.objects.exists()


def test_reception_refuses_another_organisations_draft_service(agent):
    client, membership = agent
    person = PersonFactory(organisation=membership.organisation)
    draft = ServiceFactory(draft=True)
    response = _post(client, person=person.pk, services_given=[draft.pk])
    assert response.status_code == 200
    assert "Un des services choisis n&#x27;est pas disponible dans l&#x27;annuaire." in response.content.decode()


def test_reception_care_team_member_logs_a_request_about_a_shared_person(agent):
    client, membership = agent
    shared = PersonFactory(last_name="Partagé")
    care_team_place(shared, membership)
    found = client.get(reverse("casework:reception_persons"), {"q": "partage"}, headers={"HX-Request": "true"})
    assert f'value="{shared.pk}"' in found.content.decode()
    assert _post(client, person=shared.pk).status_code == 302
    assert Request.objects.get().organisation == membership.organisation


def test_reception_fragment_equals_the_full_page_block(agent):
    client, membership = agent
    PersonFactory(organisation=membership.organisation, last_name="Martin")
    fragment = client.get(reverse("casework:reception_persons"), {"q": "martin"}, headers={"HX-Request": "true"})
    page = client.get(reverse("casework:reception_persons"), {"q": "martin"})
    assert page.status_code == 200
    assert fragment.content.decode().strip() in page.content.decode()


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.PARTNER, Role.DIRECTOR, Role.DPO, Role.ADMIN])
def test_role_cannot_open_the_reception(member_client, role):
    client, _ = member_client(role=role)
    assert client.get(RECEPTION).status_code == 404
    assert client.post(RECEPTION, {"person": "anonymous"}).status_code == 404


def test_request_list_shows_counts_and_filters(member_client):
    client, membership = member_client(role=Role.DIRECTOR)
    org = membership.organisation
    RequestFactory(organisation=org, channel=RequestChannel.PHONE)
    RequestFactory(organisation=org, anonymous=True, channel=RequestChannel.WALK_IN)
    RequestFactory(anonymous=True)
    response = client.get(reverse("casework:request_list"))
    assert response.status_code == 200
    counts = response.context["counts"]
    assert (counts.total, counts.anonymous) == (2, 1)
    filtered = client.get(reverse("casework:request_list"), {"anonymous": "yes"}, headers={"HX-Request": "true"})
    assert filtered.context["counts"].total == 1
    assert "<table>" in filtered.content.decode()
    assert not filtered.context["can_log"]


def test_request_list_query_count_is_pinned(member_client, django_assert_max_num_queries):
    client, membership = member_client(role=Role.COORDINATOR)
    for _ in range(15):
        RequestFactory(organisation=membership.organisation, subjects=[term(Taxonomy.NEEDS, "se-nourrir")])
    with django_assert_max_num_queries(20):
        response = client.get(reverse("casework:request_list"))
    assert len(response.context["page_obj"]) == 15


def test_request_detail_of_another_organisation_is_404(member_client):
    client, membership = member_client(role=Role.COORDINATOR)
    own = RequestFactory(organisation=membership.organisation)
    other = RequestFactory()
    assert client.get(reverse("casework:request_detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("casework:request_detail", args=[other.pk])).status_code == 404
