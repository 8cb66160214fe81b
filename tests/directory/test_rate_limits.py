"""Rate limits on the directory's expensive anonymous pages and on the JSON API: the N+1-th request
from one client is refused with 429, a French reason and Retry-After; a new session does not help."""

import html

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from maillage.core.enums import Role
from maillage.directory import selection, selection_views
from maillage.directory.apis import base as api_base
from tests.directory.factories import ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def meals():
    return ServiceFactory(name="Portage de repas à domicile")


def test_public_print_is_limited_per_client_across_sessions(meals, monkeypatch):
    rendered = []
    monkeypatch.setattr(selection, "html_to_pdf", lambda html: rendered.append(html) or b"%PDF-1.7 fake")
    url = reverse("directory:public_search_print")
    for number in range(selection_views.PUBLIC_PRINT_LIMIT):
        # A new session each time, another selection each time, a forged X-Forwarded-For.
        visitor = Client(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"198.51.100.{number}")
        assert visitor.get(url, {"q": f"repas {number}"}).status_code == 200
    response = Client(REMOTE_ADDR="203.0.113.7").get(url, {"service": meals.pk})
    assert response.status_code == 429
    assert response["Retry-After"].isdigit() and int(response["Retry-After"]) > 0
    page = html.unescape(response.content.decode())
    assert (
        "Trop de demandes : 10 demandes au plus en 10 minutes par connexion pour l'impression de la sélection" in page
    )
    assert "Réessayez dans" in page
    assert Client(REMOTE_ADDR="203.0.113.8").get(url, {"service": meals.pk}).status_code == 200


def test_public_print_is_rendered_once_per_selection(meals, monkeypatch):
    rendered = []
    monkeypatch.setattr(selection, "html_to_pdf", lambda html: rendered.append(html) or b"%PDF-1.7 fake")
    url = reverse("directory:public_search_print")
    for number in range(3):
        response = Client(REMOTE_ADDR=f"203.0.113.{number + 1}").get(url, {"service": meals.pk})
        assert response.content == b"%PDF-1.7 fake"
    assert len(rendered) == 1


def test_public_print_renders_are_capped_for_the_whole_site(meals, monkeypatch):
    """Many clients each asking a different selection: past the site's renders per minute, 429 rather
    than the whole site slowed down."""
    monkeypatch.setattr(selection, "html_to_pdf", lambda html: b"%PDF-1.7 fake")
    monkeypatch.setattr(selection, "PUBLIC_PDF_RENDERS_PER_MINUTE", 3)
    url = reverse("directory:public_search_print")
    for number in range(3):
        assert Client(REMOTE_ADDR=f"203.0.113.{number + 1}").get(url, {"q": f"a{number}"}).status_code == 200
    response = Client(REMOTE_ADDR="203.0.113.50").get(url, {"q": "autre"})
    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert "très demandée en ce moment" in html.unescape(response.content.decode())


def test_staff_print_is_limited_per_member(member_client, meals, monkeypatch):
    monkeypatch.setattr(selection, "html_to_pdf", lambda html: b"%PDF-1.7 fake")
    staff, _ = member_client(role=Role.RECEPTION_AGENT)
    url = reverse("directory:search_print")
    for _ in range(selection_views.STAFF_PRINT_LIMIT):
        assert staff.get(url, {"service": meals.pk}).status_code == 200
    assert staff.get(url, {"service": meals.pk}).status_code == 429


def test_api_is_limited_per_client_with_the_error_shape(meals):
    url = reverse("api:service_list")
    for number in range(api_base.API_RATE_LIMIT):
        visitor = Client(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"198.51.100.{number % 250}")
        assert visitor.get(url if number % 2 else reverse("api:taxonomy_list")).status_code == 200
    response = Client(REMOTE_ADDR="203.0.113.7").get(reverse("api:service_detail", args=[meals.pk]))
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    body = response.json()
    assert body["message"].startswith(
        "Trop de demandes : 120 demandes au plus en une minute par connexion pour l'API de l'annuaire"
    )
    assert int(body["extra"]["retry_after"]) > 0
    assert Client(REMOTE_ADDR="203.0.113.8").get(url).status_code == 200
