"""Point 13 of issue 11: the links of a selection — printed by staff, e-mailed by staff or by the
public — lead the person who receives it to the service's public page, which opens without an
account; never to a staff page behind the login. A service the public directory does not show (one's
own draft) goes without a link."""

import io
import re
import subprocess
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from maillage.core.enums import Role
from tests.conftest import run_task_worker
from tests.core.factories import CommuneFactory
from tests.directory.factories import PhoneFactory, ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def staff_and_services(member_client):
    staff, membership = member_client(role=Role.RECEPTION_AGENT)
    dijon = CommuneFactory(code="21231", name="Dijon")
    meals = ServiceFactory(name="Portage de repas à domicile", commune=dijon, organisation=membership.organisation)
    PhoneFactory(service=meals)
    visits = ServiceFactory(name="Visites de convivialité")  # another organisation's
    draft = ServiceFactory(name="Projet interne", draft=True, organisation=membership.organisation)
    return staff, (meals, visits, draft)


def public_page(service) -> str:
    return reverse("directory:public_service_detail", args=[service.pk])


def assert_every_link_opens_for_anyone(urls, expected_services):
    anonymous = Client()
    paths = sorted(urlsplit(url).path for url in urls)
    assert paths == sorted(public_page(s) for s in expected_services)
    for path in paths:
        response = anonymous.get(path)
        assert response.status_code == 200, path  # not a redirect to the login page
        assert "/connexion" not in response.get("Location", "")


def pdf_links(content: bytes) -> list[str]:
    """The URIs of the PDF's link annotations (what a reader clicks)."""
    links = []
    for page in PdfReader(io.BytesIO(content)).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action and action.get("/URI"):
                links.append(str(action["/URI"]))
    return links


def test_the_staff_pdf_links_to_public_pages_only(staff_and_services, tmp_path):
    staff, (meals, visits, draft) = staff_and_services
    response = staff.get(reverse("directory:search_print"), {"service": [meals.pk, visits.pk, draft.pk]})
    assert response["Content-Type"] == "application/pdf"
    assert_every_link_opens_for_anyone(set(pdf_links(response.content)), [meals, visits])
    # What is printed says the same (pdftotext -layout, as a person reads the sheet).
    (tmp_path / "s.pdf").write_bytes(response.content)
    text = subprocess.run(  # noqa: S603
        ["/usr/bin/pdftotext", "-layout", str(tmp_path / "s.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Projet interne" in text  # one's own draft is printed, without a link
    printed = re.findall(r"https?://\S+", text)
    assert sorted(urlsplit(u).path for u in printed) == sorted(public_page(s) for s in (meals, visits))
    assert reverse("directory:service_detail", args=[meals.pk]) not in text


@pytest.mark.parametrize("sender", ["staff", "public"])
def test_the_email_links_to_public_pages_only(staff_and_services, sender):
    staff, (meals, visits, draft) = staff_and_services
    client, url = (
        (staff, reverse("directory:search_send"))
        if sender == "staff"
        else (
            Client(),
            reverse("directory:public_search_send"),
        )
    )
    ids = [meals.pk, visits.pk, draft.pk]
    page = client.get(url, {"service": ids})
    response = client.post(url, {"email": "usager@exemple.fr", "selection": page.context["form"]["selection"].value()})
    assert response.status_code == 302
    run_task_worker()
    (message,) = mail.outbox
    in_text = re.findall(r"https?://\S+", message.body)
    in_html = re.findall(r'href="([^"]+)"', message.alternatives[0].content)
    expected = [meals, visits]
    assert_every_link_opens_for_anyone(set(in_text), expected)
    assert_every_link_opens_for_anyone(set(in_html), expected)
    assert ("Projet interne" in message.body) is (sender == "staff")  # a draft: named to staff's person, no link
