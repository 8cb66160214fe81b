"""The right-of-access PDF is written for the person (issue 11, point 10): a typical file — identity,
address, relations, consents, every kind of assessment signed, a plan, notes, requests, and the
openings of the file by the team and by a care-team partner — printed and read back as text. The
answers are in words, the trail in French sentences, no code, slug, dict or list of the database
reaches the paper, and the document stays short."""

import datetime
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from maillage.casework.fragility import DEFAULT_GRID
from maillage.casework.models import AssessmentKind
from maillage.casework.services import assessments as assessment_services
from maillage.core.enums import OrganisationKind, Role
from maillage.directory.models import Taxonomy
from maillage.people.exports import person_data, person_pdf
from tests.casework.factories import RequestFactory, care_team_place
from tests.casework.factories_assessments import CarePlanActionFactory, CarePlanFactory
from tests.conftest import login_verified
from tests.core.factories import CommuneFactory, MembershipFactory, OrganisationFactory
from tests.directory.factories import term
from tests.people.factories import ConsentFactory, PersonAddressFactory, PersonFactory, RelationFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 20)
# What must never reach the person: Python or JSON structures, quoted keys, snake_case codes, slugs,
# the fragility grid's fingerprint, a bare « None ».
FORBIDDEN = [
    (re.compile(r"[{}\[\]]"), "accolade ou crochet (structure de données)"),
    (re.compile(r"'[a-z_]+'\s*:"), "clé de dictionnaire entre apostrophes"),
    (re.compile(r"\b[a-z]+_[a-z_]+\b"), "code en snake_case"),
    (re.compile(r"\b[a-z]+-[a-z]+-[a-z0-9-]*\d[a-z0-9-]*\b"), "identifiant à tirets (slug)"),
    (re.compile(r"visa-defaut|grille-[0-9a-f]{6}"), "empreinte de la grille"),
    (re.compile(r"\bNone\b|\bTrue\b|\bFalse\b"), "valeur Python"),
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-"), "UUID"),
]


def visible_problems(text: str) -> list[str]:
    problems = []
    for pattern, why in FORBIDDEN:
        for match in pattern.finditer(text):
            start = max(0, match.start() - 40)
            problems.append(f"{why} : « {text[start : match.end() + 40]} »")
    return problems


@pytest.fixture
def typical_file(client):
    """A person followed by a CCAS for a year, with a partner SSIAD in the care team."""
    rennes = CommuneFactory(code="35238", name="Rennes", postal_codes=["35000"])
    ccas = OrganisationFactory(name="CCAS de Rennes")
    ssiad = OrganisationFactory(name="SSIAD de Rennes", kind=OrganisationKind.SSIAD)
    coordinator = MembershipFactory(
        role=Role.COORDINATOR, organisation=ccas, user__first_name="Camille", user__last_name="Martin"
    )
    nurse = MembershipFactory(role=Role.COORDINATOR, organisation=ssiad, user__first_name="Paul")
    person = PersonFactory(organisation=ccas, first_names="Émile", last_name="Roux", languages="français, breton")
    PersonAddressFactory(person=person, commune=rennes, line="12 rue de Brest", postal_code="35000")
    relation = RelationFactory(person=person, first_name="Anne", last_name="Roux")
    ConsentFactory(person=person, scope="sharing", partner=ssiad, recorded_by=coordinator.user)
    care_team_place(person, nurse)

    actor = {"actor": coordinator.user, "organisation": ccas, "person": person}
    needs = {t.code: {"status": "met", "note": ""} for t in assessment_services.essential_needs()}
    needs["se-nourrir"] = {"status": "not_met", "note": "Frigo souvent vide"}
    fragility = {q.key: q.options[0].key for q in DEFAULT_GRID.questions} | {"mode": "phone"}
    aggir = dict.fromkeys(assessment_services.aggir.ALL_SUB_VARIABLES, "B")
    aggir |= dict.fromkeys(assessment_services.AGGIR_ILLUSTRATIVE, "C")
    carer = {
        "relation": relation.pk,
        "burden": "heavy",
        "exhaustion_signs": ["sleep", "isolation"],
        "respite_wishes": ["day_care"],
        "note": "Voudrait souffler le week-end",
    }
    for kind, answers in (
        (AssessmentKind.NEEDS, needs),
        (AssessmentKind.FRAGILITY, fragility),
        (AssessmentKind.AGGIR, aggir),
        (AssessmentKind.CARER, carer),
    ):
        version = assessment_services.assessment_create(
            **actor, kind=kind, answers=answers, assessed_on=DAY, summary="Vu à domicile."
        )
        assessment_services.assessment_sign(actor=coordinator.user, organisation=ccas, version=version)
    plan = CarePlanFactory(person=person, organisation=ccas, coordinator=coordinator.user, title="Rester chez soi")
    CarePlanActionFactory(plan=plan, what="Portage de repas à domicile")
    RequestFactory(person=person, organisation=ccas, notes="Demande d'aide pour les repas")
    RequestFactory.create(person=person, organisation=ccas).subjects.add(term(Taxonomy.NEEDS, "se-nourrir"))

    # The team opens the file; the care-team nurse opens it too.
    login_verified(client, coordinator.user)
    notes_url = reverse("casework:note_list", args=[person.pk])
    response = client.post(notes_url, {"body": "Appel de sa fille : tout va bien.", "visibility": "organisation"})
    assert response.status_code == 302
    for url in (
        reverse("people:detail", args=[person.pk]),
        reverse("casework:assessment_list", args=[person.pk]),
        reverse("casework:note_list", args=[person.pk]),
    ):
        assert client.get(url).status_code == 200
    assert client.get(reverse("casework:note_list", args=[person.pk])).status_code == 200
    client.logout()
    login_verified(client, nurse.user)
    assert client.get(reverse("people:detail", args=[person.pk])).status_code == 200
    client.logout()
    login_verified(client, coordinator.user)
    return {"person": person, "coordinator": coordinator, "nurse": nurse, "client": client}


def pdf_text(content: bytes) -> tuple[str, int]:
    import io

    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return text, len(reader.pages)


def test_the_right_of_access_pdf_reads_as_french_for_the_person(typical_file, tmp_path):
    client, person = typical_file["client"], typical_file["person"]
    response = client.get(reverse("people:export", args=[person.pk, "pdf"]))
    assert response.status_code == 200
    (tmp_path / "export.pdf").write_bytes(response.content)
    text, pages = pdf_text(response.content)
    flat = re.sub(r"\s+", " ", text)

    assert not visible_problems(flat), "\n".join(visible_problems(flat))
    # Answers in words, with the grids' own labels.
    for expected in (
        "Se nourrir",
        "Non satisfait — Frigo souvent vide",
        "Cohérence — communication",
        "B — fait partiellement, ou pas habituellement, ou pas correctement",
        "C — ne fait pas",
        "Grille du guide VISA (version en vigueur)",
        "Par téléphone",
        "Lourde",
        "Troubles du sommeil, fatigue permanente",
        "Accueil de jour",
        "Voudrait souffler le week-end",
    ):
        assert expected in flat, expected
    # The trail in sentences: who, for which organisation, when, by which path.
    coordinator = typical_file["coordinator"]
    assert re.search(
        r"Consultation par Camille Martin \(CCAS de Rennes\) le \d{1,2}(er)? \w+ 20\d\d à \d{1,2} h \d\d : "
        r"fiche de la personne, au titre de la structure responsable du dossier\.",
        flat,
    ), flat
    nurse = typical_file["nurse"].user.get_full_name()
    assert f"Consultation par {nurse} (SSIAD de Rennes)" in flat
    assert "au titre de l'équipe autour de la personne." in flat
    assert "Ajout d'une note de suivi par Camille Martin (CCAS de Rennes)" in flat
    # The same opening twice on one day is one sentence.
    assert re.search(
        r"Consultation par Camille Martin \(CCAS de Rennes\) le \d{1,2}(er)? \w+ 20\d\d \(2 fois, (de|à) \d", flat
    )
    assert flat.count(": notes de suivi, au titre") == 1
    assert coordinator.organisation.name in flat
    # Compact: a typical year of follow-up fits in a few pages.
    assert pages <= 6, f"{pages} pages"


def test_the_export_data_keeps_no_code_in_the_assessment_answers(typical_file):
    from maillage.core.access import person_grant

    person, coordinator = typical_file["person"], typical_file["coordinator"]
    grant = person_grant(coordinator.user, coordinator.organisation, person)
    data = person_data(grant)
    assessments = next(s for s in data["sections"] if s["titre"] == "Évaluations")["lignes"]
    assert {row["Évaluation"] for row in assessments} == {label for _value, label in AssessmentKind.choices}
    for row in assessments:
        for label, answer in row["Réponses"].items():
            assert not re.fullmatch(r"[a-z_]+|[ABC]", answer), (label, answer)
            assert not re.fullmatch(r"[a-z_-]+", label), label
    assert person_pdf(person, data).startswith(b"%PDF")
