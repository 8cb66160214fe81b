"""« Imprimer cette sélection » (A4 PDF) and « Envoyer par courriel », staff and public."""

import datetime
import io

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from maillage.core.enums import Role
from maillage.directory import selection
from tests.conftest import run_task_worker
from tests.core.factories import CommuneFactory
from tests.directory.factories import (
    PhoneFactory,
    RegularScheduleFactory,
    ScheduleExceptionFactory,
    ServiceAccessibilityFactory,
    ServiceFactory,
)

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def services():
    dijon = CommuneFactory(code="21231", name="Dijon")
    meals = ServiceFactory(name="Portage de repas à domicile", commune=dijon, fee_kind="means_tested")
    PhoneFactory(service=meals, number="03 80 11 22 33")
    RegularScheduleFactory(service=meals, weekday=0)
    RegularScheduleFactory(service=meals, weekday=1)
    RegularScheduleFactory(service=meals, weekday=2)
    ScheduleExceptionFactory(service=meals, start_date=datetime.date(2099, 8, 1), end_date=datetime.date(2099, 8, 22))
    ServiceAccessibilityFactory(service=meals, feature="step_free")
    visits = ServiceFactory(name="Visites de convivialité", by_phone=True)
    draft = ServiceFactory(name="Brouillon caché", draft=True)
    return meals, visits, draft


def test_public_print_of_the_current_search_is_a_pdf_with_the_services(client, services):
    response = client.get(reverse("directory:public_search_print"), {"q": "portage de repas", "commune": "21231"})
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "Portage de repas à domicile" in text
    assert "Visites de convivialité" not in text
    assert "« portage de repas »" in text and "Dijon (21231)" in text
    assert "03 80 11 22 33" in text
    assert "Du lundi au mercredi : de 9 h à 12 h" in text.replace("\u00a0", " ")
    assert "Fermé du 1er août 2099 au 22 août 2099" in text
    assert "Accès de plain-pied ou ascenseur" in text
    assert "Selon les ressources" in text


def test_public_print_never_shows_a_draft_even_when_ticked(client, services):
    meals, visits, draft = services
    response = client.get(reverse("directory:public_search_print"), {"service": [visits.pk, draft.pk]})
    text = pdf_text(response.content)
    assert "Visites de convivialité" in text and "Brouillon caché" not in text
    assert "1 service choisi" in text


def test_staff_print_has_own_drafts_but_not_other_organisations(client, member_client, services):
    meals, visits, draft = services
    staff, membership = member_client(role=Role.RECEPTION_AGENT, organisation=meals.organisation)
    own_draft = ServiceFactory(name="Projet interne", draft=True, organisation=membership.organisation)
    response = staff.get(reverse("directory:search_print"), {"service": [own_draft.pk, draft.pk, meals.pk]})
    text = pdf_text(response.content)
    assert "Projet interne" in text and "Portage de repas" in text and "Brouillon caché" not in text


def test_public_send_queues_an_email_then_the_worker_sends_it(client, services):
    meals, visits, draft = services
    url = reverse("directory:public_search_send")
    page = client.get(url, {"service": [meals.pk, visits.pk]})
    assert "Portage de repas à domicile" in page.content.decode()
    response = client.post(
        url,
        {
            "email": "proche@exemple.fr",
            "message": "Voici les adresses <b>promises</b>.",
            "selection": page.context["form"]["selection"].value(),
        },
    )
    assert response.status_code == 302
    assert mail.outbox == []
    run_task_worker()
    (message,) = mail.outbox
    assert message.to == ["proche@exemple.fr"]
    assert "Portage de repas à domicile" in message.body and "Visites de convivialité" in message.body
    assert "Voici les adresses <b>promises</b>." in message.body
    html = message.alternatives[0].content
    assert "&lt;b&gt;promises&lt;/b&gt;" in html and "Portage de repas à domicile" in html


def test_public_send_is_limited_per_session(client, services):
    url = reverse("directory:public_search_send")
    data = {"email": "proche@exemple.fr", "selection": "q=repas"}
    for _ in range(selection.PUBLIC_SEND_LIMIT):
        assert client.post(url, data).status_code == 302
    response = client.post(url, data)
    assert response.status_code == 429
    assert "Réessayez plus tard" in response.content.decode()
    session = client.session
    old = (datetime.datetime.now(tz=datetime.UTC) - datetime.timedelta(hours=2)).isoformat()
    session[selection.SESSION_SENDS_KEY] = [old] * selection.PUBLIC_SEND_LIMIT
    session.save()
    assert client.post(url, data).status_code == 302


def test_send_refuses_a_bad_address_and_an_empty_selection(client, services):
    url = reverse("directory:public_search_send")
    response = client.post(url, {"email": "pas-une-adresse", "selection": "q=repas"})
    assert response.status_code == 200 and "Saisissez une adresse" in response.content.decode()
    response = client.post(url, {"email": "proche@exemple.fr", "selection": "q=introuvablexyz"})
    assert "La sélection est vide" in response.content.decode()


def test_public_send_is_csrf_protected(services):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("directory:public_search_send"), {"email": "a@exemple.fr", "selection": ""})
    assert response.status_code == 403


def test_staff_send_replies_to_the_agent(member_client, services):
    meals, visits, draft = services
    staff, membership = member_client(role=Role.RECEPTION_AGENT)
    response = staff.post(
        reverse("directory:search_send"), {"email": "usager@exemple.fr", "selection": f"service={meals.pk}"}
    )
    assert response.status_code == 302
    run_task_worker()
    (message,) = mail.outbox
    assert message.reply_to == [membership.user.email]
    assert membership.organisation.name in message.body


def test_results_carry_the_selection_form(client, services):
    page = client.get(reverse("directory:public_search"), {"q": "repas"}).content.decode()
    assert 'id="selection"' in page and 'form="selection"' in page
    assert reverse("directory:public_search_print") in page and reverse("directory:public_search_send") in page
