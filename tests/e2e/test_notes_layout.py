"""The notes page of a file, measured in a real browser at a phone's, a tablet's and a desktop's width,
on both themes: a short note's card stays short, the cards do not overlap each other nor the page's
footer, and axe finds nothing serious. The coordinator writes a note as a person would."""

import pytest
from playwright.sync_api import expect

from maillage.casework.models.followup import NoteVisibility
from maillage.casework.services import followup
from maillage.core.enums import Role
from tests.core.factories import MembershipFactory, OrganisationFactory
from tests.e2e.axe import assert_accessible
from tests.people.factories import PersonFactory

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("theme")]

WIDTHS = (375, 768, 1280)

BOXES = """() => {
  const box = (el) => {
    const r = el.getBoundingClientRect();
    return {top: r.top + scrollY, bottom: r.bottom + scrollY, left: r.left, right: r.right, height: r.height};
  };
  const controls = 'main section input, main section select, main section textarea, main section button';
  return {
    notes: [...document.querySelectorAll('[data-note]')].map(box),
    footer: box(document.querySelector('footer')),
    section: box(document.querySelector('#titre-notes').closest('section')),
    scrollWidth: document.documentElement.scrollWidth,
    // Form controls and buttons that stick out of their section (a select wider than its column).
    overflowing: [...document.querySelectorAll(controls)]
      .filter((el) => el.getBoundingClientRect().right > el.closest('section').getBoundingClientRect().right + 1)
      .map((el) => el.outerHTML.slice(0, 80)),
    // Radio labels that fell under their control instead of beside it.
    fallenLabels: [...document.querySelectorAll('main input[type=radio]')]
      .filter((input) => { const label = document.querySelector(`label[for="${input.id}"]`);
        return label && label.getBoundingClientRect().top >= input.getBoundingClientRect().bottom; })
      .map((input) => input.id),
  };
}"""


@pytest.fixture
def coordinator():
    organisation = OrganisationFactory(name="CCAS de Rennes")
    return MembershipFactory(
        organisation=organisation, role=Role.COORDINATOR, user__first_name="Camille", user__last_name="Martin"
    )


def test_notes_page_cards_are_short_and_the_footer_stays_below_them(page, login_as, coordinator, theme):
    person = PersonFactory(organisation=coordinator.organisation, first_names="Jeanne", last_name="Roux")
    long_note = " ".join(["Entretien avec la personne et sa fille au sujet du retour à domicile."] * 8)
    for body in (
        long_note,
        "Appel de la fille : tout va bien.",
        "Visite à domicile prévue mardi.\nApporter le dossier APA.",
    ):
        followup.note_create(
            actor=coordinator.user,
            organisation=coordinator.organisation,
            person=person,
            body=body,
            visibility=NoteVisibility.ORGANISATION,
        )
    login_as(coordinator.user)
    page.goto(f"/personnes/{person.pk}/notes/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Notes et tâches de suivi")

    page.locator("#id_body").fill("Rappelée ce matin, elle attend le passage de l'infirmière.")
    page.get_by_role("button", name="Enregistrer la note").click()
    expect(page.get_by_text("Rappelée ce matin")).to_be_visible()

    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        boxes = page.evaluate(BOXES)
        page.screenshot(path=f"/tmp/words/notes-{theme}-{width}.png", full_page=True, caret="initial")
        notes = boxes["notes"]
        assert len(notes) == 4
        for note in notes[:3]:
            # A note of one or two lines, its author, date and visibility: a card, not a poster.
            assert note["height"] < 200, f"{width} px : une note courte mesure {note['height']} px de haut"
        for upper, lower in zip(notes, notes[1:], strict=False):
            assert upper["bottom"] <= lower["top"], f"{width} px : deux notes se chevauchent"
        assert notes[-1]["bottom"] <= boxes["footer"]["top"], f"{width} px : le pied de page recouvre les notes"
        assert boxes["section"]["bottom"] <= boxes["footer"]["top"]
        assert not boxes["overflowing"], f"{width} px : débordent de leur colonne : {boxes['overflowing']}"
        assert not boxes["fallenLabels"], f"{width} px : libellé sous son bouton radio : {boxes['fallenLabels']}"
        assert boxes["scrollWidth"] <= width, f"{width} px : la page défile en largeur"
    page.set_viewport_size({"width": 1280, "height": 900})
    assert_accessible(page, "Notes et tâches")
