"""« Imprimer cette sélection » (A4 PDF) and « Envoyer par courriel », staff and public."""

import datetime
import html
import io
from urllib.parse import urlencode

import pytest
from django.core import mail
from django.core.cache import cache
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


@pytest.fixture(autouse=True)
def _empty_cache():
    """The per-address send counters live in the cache: each test starts from none."""
    cache.clear()
    yield
    cache.clear()


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
    response = client.post(url, {"email": "proche@exemple.fr", "selection": page.context["form"]["selection"].value()})
    assert response.status_code == 302
    assert mail.outbox == []
    run_task_worker()
    (message,) = mail.outbox
    assert message.to == ["proche@exemple.fr"]
    assert "Portage de repas à domicile" in message.body and "Visites de convivialité" in message.body
    assert "Portage de repas à domicile" in message.alternatives[0].content


def test_public_send_carries_no_free_text(client, services):
    meals, visits, draft = services
    """Anonymous visitors send the selection with the site's fixed text: no message of theirs, and not
    the words they searched either (both would let anyone mail any text to anyone)."""
    page = client.get(reverse("directory:public_search_send"), {"q": "repas"})
    assert "message" not in page.context["form"].fields
    assert 'name="message"' not in page.content.decode()
    spam = "Gagnez 1000 euros sur http://arnaque.example"
    response = client.post(
        reverse("directory:public_search_send"),
        {"email": "cible@exemple.fr", "message": spam, "selection": urlencode({"service": meals.pk, "q": spam})},
    )
    assert response.status_code == 302
    run_task_worker()
    (message,) = mail.outbox
    assert "arnaque" not in message.body and "arnaque" not in message.alternatives[0].content
    assert "Gagnez" not in message.body and "Message :" not in message.body


def test_staff_send_keeps_its_message(member_client, services):
    meals, visits, draft = services
    staff, membership = member_client(role=Role.RECEPTION_AGENT)
    page = staff.get(reverse("directory:search_send"), {"service": meals.pk})
    assert "message" in page.context["form"].fields
    staff.post(
        reverse("directory:search_send"),
        {"email": "usager@exemple.fr", "message": "Voici les adresses <b>promises</b>.", "selection": "q=repas"},
    )
    run_task_worker()
    (message,) = mail.outbox
    assert "Voici les adresses <b>promises</b>." in message.body
    assert "&lt;b&gt;promises&lt;/b&gt;" in message.alternatives[0].content


def test_public_send_to_one_address_is_limited_across_sessions_and_clients(services):
    """A flood aimed at one mailbox: new sessions and other client addresses do not get round it, nor
    the capitals or a « +tag » in the address."""
    from django.test import Client

    url = reverse("directory:public_search_send")
    spellings = ["cible@exemple.fr", "Cible@Exemple.FR", "cible+1@exemple.fr", " cible+x@exemple.fr "]
    for number in range(selection.PUBLIC_SEND_LIMIT_PER_RECIPIENT):
        visitor = Client(REMOTE_ADDR=f"203.0.113.{number + 1}")
        email = spellings[number % len(spellings)]
        assert visitor.post(url, {"email": email, "selection": "q=repas"}).status_code == 302
    response = Client(REMOTE_ADDR="198.51.100.9").post(url, {"email": "CIBLE+2@exemple.fr", "selection": "q=repas"})
    assert response.status_code == 429
    page = html.unescape(response.content.decode())
    assert "Adresse électronique du destinataire" in page and "a déjà reçu" in page
    run_task_worker()
    assert len(mail.outbox) == selection.PUBLIC_SEND_LIMIT_PER_RECIPIENT
    # Another recipient is not affected.
    assert (
        Client(REMOTE_ADDR="198.51.100.9").post(url, {"email": "autre@exemple.fr", "selection": "q=repas"}).status_code
        == 302
    )


def test_public_send_from_one_client_is_limited_across_sessions_and_addresses(services):
    """A new session for every e-mail, another recipient each time, a forged X-Forwarded-For: the
    client's address still counts."""
    from django.test import Client

    url = reverse("directory:public_search_send")
    for number in range(selection.PUBLIC_SEND_LIMIT_PER_IP):
        visitor = Client(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR=f"198.51.100.{number}")
        assert visitor.post(url, {"email": f"n{number}@exemple.fr", "selection": "q=repas"}).status_code == 302
    forged = Client(REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="192.0.2.200")
    response = forged.post(url, {"email": "neuf@exemple.fr", "selection": "q=repas"})
    assert response.status_code == 429
    assert response["Retry-After"].isdigit()
    page = html.unescape(response.content.decode())
    assert f"Trop de sélections ({selection.PUBLIC_SEND_LIMIT_PER_IP}) ont été envoyées depuis votre connexion" in page
    assert "Réessayez plus tard" in page
    assert (
        Client(REMOTE_ADDR="203.0.113.8").post(url, {"email": "neuf@exemple.fr", "selection": "q=repas"}).status_code
        == 302
    )


def test_send_limits_reset_after_the_window(monkeypatch):
    from maillage.core import ratelimit

    now = 1_900_000_000.0
    monkeypatch.setattr(ratelimit, "_now", lambda: now)
    for number in range(selection.STAFF_SEND_LIMIT_PER_IP):
        assert selection.send_refusal(client="192.0.2.1", recipient=f"a{number}@exemple.fr", public=False) == ""
    assert selection.send_refusal(client="192.0.2.1", recipient="b@exemple.fr", public=False).startswith("Trop de")
    # Public and staff counts are apart.
    assert selection.send_refusal(client="192.0.2.1", recipient="b@exemple.fr", public=True) == ""
    now += selection.SEND_WINDOW.total_seconds()
    assert selection.send_refusal(client="192.0.2.1", recipient="c@exemple.fr", public=False) == ""


def test_staff_send_is_limited_too(member_client, services):
    meals, visits, draft = services
    staff, membership = member_client(role=Role.RECEPTION_AGENT)
    url = reverse("directory:search_send")
    data = {"email": "usager@exemple.fr", "selection": f"service={meals.pk}"}
    for _ in range(selection.STAFF_SEND_LIMIT_PER_RECIPIENT):
        assert staff.post(url, data).status_code == 302
    response = staff.post(url, data)
    assert response.status_code == 429
    assert "a déjà reçu 10 sélections aujourd" in html.unescape(response.content.decode())


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


# --- The selection kept across result pages -------------------------------------------------------


def _tick(client, service, *, ticked=True, public=True):
    url = reverse("directory:public_search_selection" if public else "directory:search_selection")
    data = {"toggle": service.pk, **({"service": service.pk} if ticked else {})}
    return client.post(url, data, HTTP_HX_REQUEST="true")


@pytest.fixture
def many_meals():
    """More meal services than one page of results holds (DEFAULT_PAGE_SIZE = 20)."""
    return [ServiceFactory(name=f"Portage de repas n° {n:02d}") for n in range(25)]


def _checked(page: str, service) -> bool:
    tag = page.split(f'id="selection-{service.pk}"', 1)[1].split(">", 1)[0]
    return " checked" in tag


def test_ticks_are_kept_when_moving_between_result_pages(client, many_meals):
    url = reverse("directory:public_search")
    first = client.get(url, {"q": "repas"})
    on_first = list(first.context["page_obj"])[0]
    second = client.get(url, {"q": "repas", "page": 2})
    on_second = list(second.context["page_obj"])[0]
    summary = _tick(client, on_first)
    assert summary.status_code == 200
    assert "1 service coché" in summary.content.decode()
    assert "2 services cochés" in _tick(client, on_second).content.decode()
    # Back on page 1, then page 2: each page shows its ticked box ticked, and the count of both.
    page = client.get(url, {"q": "repas"}).content.decode()
    assert _checked(page, on_first) and "2 services cochés" in page
    page = client.get(url, {"q": "repas", "page": 2}).content.decode()
    assert _checked(page, on_second)
    assert not any(_checked(page, s) for s in second.context["page_obj"] if s != on_second)
    # Printing from page 2 (which carries only its own ticks) prints both.
    text = pdf_text(
        client.get(reverse("directory:public_search_print"), {"q": "repas", "service": on_second.pk}).content
    )
    assert on_first.name in text and on_second.name in text
    assert "2 services choisis" in text


def test_unticking_and_emptying_the_selection(client, many_meals):
    one, two = many_meals[:2]
    _tick(client, one)
    _tick(client, two)
    summary = _tick(client, one, ticked=False).content.decode()
    assert "1 service coché" in summary
    assert selection.selection_ids(client.session, public=True) == [two.pk]
    back = f"{reverse('directory:public_search')}?q=repas"
    response = client.post(reverse("directory:public_search_selection"), {"clear": "1", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    assert selection.selection_ids(client.session, public=True) == []
    assert "Votre sélection est vide" in client.get(back).content.decode()
    # An outside address in `next` is not followed.
    response = client.post(
        reverse("directory:public_search_selection"), {"clear": "1", "next": "https://exemple.com/"}
    )
    assert response["Location"] == reverse("directory:public_search")


def test_staff_and_public_selections_are_apart_and_drafts_stay_hidden(member_client, services):
    meals, visits, draft = services
    staff, _membership = member_client(role=Role.RECEPTION_AGENT)
    _tick(staff, visits, public=False)
    assert selection.selection_ids(staff.session, public=False) == [visits.pk]
    assert selection.selection_ids(staff.session, public=True) == []
    _tick(staff, meals)  # in the public directory, same browser
    _tick(staff, draft)  # an id from elsewhere: kept in the session, but never shown to the public
    text = pdf_text(staff.get(reverse("directory:public_search_print")).content)
    assert "Portage de repas à domicile" in text and "Brouillon caché" not in text
    assert "Visites de convivialité" not in text and "1 service choisi" in text
    text = pdf_text(staff.get(reverse("directory:search_print")).content)
    assert "Visites de convivialité" in text and "Portage de repas" not in text


def test_the_selection_holds_at_most_max_selection():
    session = {}
    selection.selection_add(session, range(1, selection.MAX_SELECTION + 10), public=True)
    assert len(selection.selection_ids(session, public=True)) == selection.MAX_SELECTION
    selection.selection_add(session, ["x", "3"], public=True)  # not a number, already there: nothing changes
    assert selection.selection_ids(session, public=True) == list(range(1, selection.MAX_SELECTION + 1))


def test_the_send_page_takes_the_kept_selection(client, services):
    meals, visits, draft = services
    _tick(client, visits)
    page = client.get(reverse("directory:public_search_send"), {"q": "portage de repas", "service": meals.pk})
    listed = [sheet.name for sheet in page.context["selection"].sheets]
    assert listed == ["Portage de repas à domicile", "Visites de convivialité"]


def test_tick_fragment_equals_the_summary_of_a_fresh_page(client, many_meals):
    """htmx swaps #selection-summary with the tick's answer: it must be what the page itself shows."""
    import re

    url = f"{reverse('directory:public_search')}?q=repas"
    answer = client.post(
        reverse("directory:public_search_selection"),
        {"toggle": many_meals[0].pk, "service": many_meals[0].pk},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{url}",
    ).content.decode()
    page = client.get(url).content.decode()

    def summary(text):
        block = re.search(r'<div id="selection-summary".*?\n</div>', text, re.S).group(0)
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", re.sub(r"\s+", " ", block))

    assert "1 service coché" in summary(answer)
    assert summary(answer) == summary(page)
