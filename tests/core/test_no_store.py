"""Pages carrying personal data are never kept by the browser or a proxy: on a shared reception
computer, the back button after logout must not show a person's file."""

import pytest
from django.test import Client
from django.urls import reverse

from maillage.core.enums import Role
from tests.conftest import login_verified
from tests.core.factories import MembershipFactory
from tests.directory.factories import ServiceFactory
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

NO_STORE = "no-store, private"


@pytest.fixture
def coordinator(client):
    membership = MembershipFactory(role=Role.COORDINATOR)
    return login_verified(client, membership.user), membership


def test_a_person_page_its_export_and_pdf_are_not_stored(coordinator):
    client, membership = coordinator
    person = PersonFactory(organisation=membership.organisation)
    for url in (
        reverse("people:detail", args=[person.pk]),
        reverse("people:export", args=[person.pk, "json"]),
        reverse("people:export", args=[person.pk, "pdf"]),
        reverse("people:list"),
        reverse("core:dashboard"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == NO_STORE, url


def test_the_directory_export_is_not_stored(coordinator):
    client, membership = coordinator
    membership.role = Role.ADMIN
    membership.save()
    ServiceFactory(organisation=membership.organisation)
    response = client.get(reverse("directory:export", args=["hsds"]))
    assert response["Cache-Control"] == NO_STORE


def test_a_member_sees_even_public_pages_unstored(coordinator):
    client, _ = coordinator
    response = client.get(reverse("directory:public_search"))
    assert response["Cache-Control"] == NO_STORE


def test_redirects_to_login_from_private_pages_are_not_stored():
    response = Client().get(reverse("people:list"))
    assert response.status_code == 302 and response["Cache-Control"] == NO_STORE


def test_the_public_directory_stays_cacheable_for_visitors():
    service = ServiceFactory()
    for url in (reverse("directory:public_search"), reverse("directory:public_service_detail", args=[service.pk])):
        response = Client().get(url)
        assert response.status_code == 200
        assert "no-store" not in response.get("Cache-Control", "")
