import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from maillage.core.enums import Role, role_as
from tests.conftest import login_verified
from tests.core.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["accessibility", "legal_notice", "personal_data", "cookies", "sitemap"])
def test_public_pages_are_french_pages_with_the_footer(client, name):
    body = client.get(reverse(f"core:{name}")).content.decode()
    assert '<html lang="fr"' in body
    assert 'id="pied-de-page"' in body
    assert "Accessibilité : partiellement conforme" in body


def test_404_is_a_french_page(client):
    response = client.get("/nulle-part/")
    assert response.status_code == 404 or response["Location"].startswith("/connexion/")
    response = client.get("/accessibilite/nulle-part/")
    anonymous_404 = Client().get("/mentions-legales/x/")
    assert anonymous_404.status_code in (302, 404)


def test_404_page_for_a_logged_in_user(client):
    membership = MembershipFactory(role=Role.COORDINATOR)
    login_verified(client, membership.user)
    response = client.get("/structures/999999/")
    assert response.status_code == 404
    assert "Page non trouvée" in response.content.decode()


def test_csrf_failure_is_explained_in_french(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("core:login"), {"username": "a@b.fr", "password": "x"})
    assert response.status_code == 403
    assert "Formulaire expiré" in response.content.decode()


def test_500_page_is_french_and_standalone(rf):
    from maillage.core.views.errors import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Erreur inattendue" in response.content.decode()


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_dashboard_speaks_to_each_role(client, role):
    membership = MembershipFactory(role=role)
    login_verified(client, membership.user)
    body = client.get(reverse("core:dashboard")).content.decode()
    assert escape(role_as(role)) in body  # « en tant qu'agent d'accueil », « … que membre de la direction »
    assert "Votre rôle" in body
