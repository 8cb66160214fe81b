"""The reception journey in a real browser: a reception agent finds a person, logs a phone request,
hands over two directory services, saves, and the screen is ready for the next caller; then the
person's timeline. Mostly with the keyboard; axe audits the reception and timeline pages."""

import re

import pytest
from playwright.sync_api import expect

from maillage.casework.models import Request
from maillage.core.enums import Role
from maillage.directory.models import Taxonomy
from tests.core.factories import MembershipFactory, OrganisationFactory
from tests.directory.factories import ServiceFactory, term
from tests.e2e.axe import assert_accessible
from tests.people.factories import PersonAddressFactory, PersonFactory

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("theme")]


@pytest.fixture
def agent():
    organisation = OrganisationFactory(name="CCAS de Beaune")
    return MembershipFactory(
        organisation=organisation, role=Role.RECEPTION_AGENT, user__first_name="Camille", user__last_name="Accueil"
    )


def tab_until(page, selector: str, limit: int = 10):
    """Press Tab until the element matching `selector` has the focus (keyboard only)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"La touche Tabulation n'atteint pas {selector}")


def test_reception_agent_logs_a_phone_request_and_hands_over_two_services(page, login_as, agent):
    person = PersonFactory(organisation=agent.organisation, last_name="Dupont", first_names="Jeanne")
    PersonAddressFactory(person=person)
    meals = ServiceFactory(name="Portage de repas à domicile", description="Livraison de repas chauds")
    transport = ServiceFactory(name="Transport solidaire", description="Accompagnement aux rendez-vous")
    login_as(agent.user)

    page.goto("/accueil/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Accueil : nouvelle demande")
    search = page.locator("#recherche-personne")
    expect(search).to_be_focused()

    # 1. Find the person: type, the results come live; Tab to the result and pick it with Space.
    page.keyboard.type("dupont")
    expect(page.get_by_text("Jeanne DUPONT")).to_be_visible()
    tab_until(page, f"#personne-{person.pk}")
    page.keyboard.press("Space")
    expect(page.locator(f"#personne-{person.pk}")).to_be_checked()

    # 2. The request: phone is the default channel; one subject chip.
    expect(page.locator("#id_channel_0")).to_be_checked()
    expect(page.locator("#id_channel_0")).to_have_value("phone")
    need = term(Taxonomy.NEEDS, "se-nourrir")
    subject = page.locator(f"input[name='subjects'][value='{need.pk}']")
    subject.focus()
    page.keyboard.press("Space")
    expect(subject).to_be_checked()

    # 3. Two services from the directory, found one after the other: the first stays ticked.
    services = page.locator("#recherche-service")
    services.focus()
    page.keyboard.type("repas")
    meals_box = page.locator(f"#service-{meals.pk}")
    expect(meals_box).to_be_visible()
    tab_until(page, f"#service-{meals.pk}")
    page.keyboard.press("Space")
    expect(meals_box).to_be_checked()
    services.fill("")
    services.focus()
    page.keyboard.type("transport")
    transport_box = page.locator(f"#service-{transport.pk}")
    expect(transport_box).to_be_visible()
    expect(page.locator(f"#service-{meals.pk}")).to_be_checked()
    transport_box.focus()
    page.keyboard.press("Space")
    expect(transport_box).to_be_checked()
    assert_accessible(page, "Accueil — demande en cours")

    # 4. Save with the keyboard; the screen confirms and is ready for the next caller.
    tab_until(page, "button[form='form-demande'][type='submit']")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/accueil/\?demande=\d+$"))
    confirmation = page.get_by_role("status").filter(has=page.get_by_role("heading", name="Demande enregistrée"))
    expect(confirmation).to_contain_text("Portage de repas à domicile")
    expect(confirmation).to_contain_text("Transport solidaire")
    expect(page.get_by_role("link", name="Imprimer les services remis")).to_be_visible()
    expect(page.get_by_role("link", name="Envoyer les services par courriel")).to_be_visible()
    expect(page.locator("#recherche-personne")).to_be_focused()
    expect(page.locator("#recherche-personne")).to_have_value("")
    assert_accessible(page, "Accueil — demande enregistrée")

    request = Request.objects.get()
    assert request.person == person
    assert request.channel == "phone"
    assert set(request.services_given.all()) == {meals, transport}
    assert list(request.subjects.all()) == [need]

    # 5. The person's timeline shows the request.
    page.get_by_role("link", name=re.compile("Chronologie de Jeanne DUPONT")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chronologie de Jeanne DUPONT")
    expect(page.locator("#chronologie")).to_contain_text("Demande (téléphone), niveau 1")
    page.get_by_role("link", name="Contacts").click()
    expect(page.locator("#chronologie")).to_contain_text("Aucun événement")
    expect(page.locator("[data-timeline-chip='contact']")).to_be_focused()
    assert_accessible(page, "Chronologie")
