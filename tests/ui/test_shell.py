"""The page shell in each theme: the neutral theme shows the deploying organisation (name, logo) and
no mark of the State anywhere; the DSFR theme names the State service in its header block."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from maillage.core.enums import Role
from maillage.ui.models import SiteIdentity
from tests.conftest import login_verified
from tests.core.factories import MembershipFactory, MembershipInvitationFactory
from tests.directory.factories import ServiceFactory

pytestmark = pytest.mark.django_db

# « Marianne » alone is also a first name a member may carry: the marks are the font's files and
# its family name as CSS writes it.
STATE_MARKS = (
    "République française",
    "République<br>française",
    "Marianne-",
    "font-family: Marianne",
    "font-family:Marianne",
    "/static/dsfr/",
    "fr-logo",
    "dsfr",
)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>'


@pytest.fixture
def identity():
    identity = SiteIdentity(name="CCAS de Beaune", logo=SVG, logo_content_type="image/svg+xml")
    identity.save()
    return identity


def _core_pages(membership):
    organisation = membership.organisation
    colleague = MembershipFactory(organisation=organisation, role=Role.COORDINATOR)
    return [
        reverse("core:dashboard"),
        reverse("core:organisation_detail", args=[organisation.pk]),
        reverse("core:organisation_edit", args=[organisation.pk]),
        reverse("core:member_list", args=[organisation.pk]),
        reverse("core:member_create", args=[organisation.pk]),
        reverse("core:member_edit", args=[organisation.pk, colleague.pk]),
        reverse("core:invitation_list"),
        reverse("core:recovery_codes"),
        reverse("core:password_change"),
        reverse("core:password_change_done"),
        reverse("core:otp_setup"),
        reverse("directory:search"),
        reverse("directory:service_list"),
    ]


PUBLIC_PAGES = [
    "core:login",
    "core:password_reset",
    "core:password_reset_done",
    "core:password_reset_complete",
    "core:accessibility",
    "core:legal_notice",
    "core:personal_data",
    "core:cookies",
    "core:sitemap",
    "directory:public_search",
    "api:docs",
]


def _assert_neutral(body: str, url: str) -> None:
    assert "INVALID_TEMPLATE_VARIABLE" not in body, url
    for mark in STATE_MARKS:
        assert mark not in body, f"{url} : « {mark} » dans une page du thème neutre"
    assert "CCAS de Beaune" in body, url
    assert f'src="{reverse("ui:logo")}?v=' in body, url
    assert "/static/ui/neutral/neutral.css" in body and reverse("ui:theme_css") in body, url


def test_neutral_public_pages_show_the_organisation_and_no_state_mark(client, identity):
    service = ServiceFactory()
    urls = [reverse(name) for name in PUBLIC_PAGES]
    urls += [
        reverse("directory:public_service_detail", args=[service.pk]),
        reverse("directory:public_search") + "?q=repas",
        reverse("core:password_reset_confirm", args=["MQ", "x-y"]),
        "/cette-page-n-existe-pas/",
    ]
    for url in urls:
        response = client.get(url, follow=True)
        _assert_neutral(response.content.decode(), url)


def test_neutral_pages_of_a_member_show_the_organisation_and_no_state_mark(client, identity):
    membership = MembershipFactory(role=Role.ADMIN)
    MembershipFactory(user=membership.user, role=Role.DIRECTOR)  # the switcher shows
    MembershipInvitationFactory(user=membership.user)
    login_verified(client, membership.user)
    for url in [*_core_pages(membership), reverse("core:sitemap"), "/structures/999999/"]:
        response = client.get(url)
        assert response.status_code in (200, 404), url
        _assert_neutral(response.content.decode(), url)


def test_neutral_error_page_of_the_server_has_no_state_mark(client):
    from django.template.loader import get_template

    body = get_template("500.html").render({})
    assert not any(mark in body for mark in STATE_MARKS)


def test_without_an_identity_the_software_name_stands_and_no_logo(client):
    body = client.get(reverse("core:login")).content.decode()
    assert 'ui-header__organisation">Maillage<' in body
    assert reverse("ui:logo") not in body


def test_the_dsfr_theme_names_the_state_service_in_its_header_block(client, settings):
    settings.MAILLAGE_THEME = "dsfr"
    settings.MAILLAGE_STATE_SERVICE = "Ministère des Solidarités"
    body = client.get(reverse("core:login")).content.decode()
    assert re.search(
        r'<header role="banner" class="fr-header">.*<p class="fr-logo">Ministère des Solidarités</p>', body, re.S
    )
    assert "/static/dsfr/dist/dsfr.min.css" in body or "dsfr/dist/dsfr" in body
    assert "neutral.css" not in body


def test_legal_page_links_may_point_to_the_organisation_s_own_pages(client):
    SiteIdentity(name="CCAS", legal_notice_url="https://www.ccas-beaune.fr/mentions-legales").save()
    body = client.get(reverse("core:login")).content.decode()
    assert 'href="https://www.ccas-beaune.fr/mentions-legales"' in body
    assert f'href="{reverse("core:personal_data")}"' in body


def test_every_page_reads_the_identity_once(client, identity, django_assert_num_queries):
    with django_assert_num_queries(1):  # anonymous: the identity, nothing else
        client.get(reverse("core:legal_notice"))


# --- The high-contrast display ---------------------------------------------------------------------


def test_high_contrast_is_toggled_by_a_post_and_kept_in_a_cookie(client):
    url = reverse("core:legal_notice")
    assert "ui-high-contrast" not in client.get(url).content.decode()
    response = client.post(reverse("ui:contrast_toggle"), {"next": url})
    assert response.status_code == 302 and response["Location"] == url
    assert response.cookies["maillage_contraste"].value == "eleve"
    assert response.cookies["maillage_contraste"]["httponly"]
    body = client.get(url).content.decode()
    assert '<html lang="fr" class="ui-neutral ui-high-contrast">' in body
    assert 'aria-pressed="true"' in body
    client.post(reverse("ui:contrast_toggle"), {"next": url})
    assert "ui-high-contrast" not in client.get(url).content.decode()


@pytest.mark.parametrize("target", ["https://ailleurs.example/", "//ailleurs.example/", "javascript:alert(1)"])
def test_high_contrast_toggle_never_sends_elsewhere(client, target):
    response = client.post(reverse("ui:contrast_toggle"), {"next": target})
    assert response["Location"] == "/"


def test_high_contrast_toggle_needs_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    assert client.post(reverse("ui:contrast_toggle"), {"next": "/"}).status_code == 403
