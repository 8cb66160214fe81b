import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.casework import aggir
from maillage.casework.fragility import DEFAULT_GRID
from maillage.casework.models import Assessment, AssessmentVersion
from maillage.casework.services import assessments as services
from maillage.core.enums import Role
from maillage.core.exceptions import ApplicationError
from maillage.core.models import AuditLogEntry
from tests.casework.factories_assessments import ALL_A, AssessmentFactory, AssessmentVersionFactory
from tests.people.factories import PersonFactory, RelationFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)
ILLUSTRATIVE = dict.fromkeys(services.AGGIR_ILLUSTRATIVE, "B")


def grid(**changes):
    return {**ALL_A, **changes}


def post_data(answers, **extra):
    return {"assessed_on": TODAY.isoformat(), "summary": "", **answers, **ILLUSTRATIVE, **extra}


# Profiles of the annex 2-2 algorithm (CASF), with their expected GIR.
PROFILES = [
    pytest.param(grid(), 6, id="autonome-gir6"),
    pytest.param(dict.fromkeys(aggir.ALL_SUB_VARIABLES, "C"), 1, id="grabataire-confus-gir1"),
    # Mental impairment, mobility kept: group B, rank 4.
    pytest.param(
        grid(coherence_communication="C", coherence_comportement="C", orientation_temps="C", orientation_espace="C"),
        2,
        id="deambulant-desoriente-gir2",
    ),
    # Bedridden, lucid: group C, rank 6.
    pytest.param(
        grid(
            toilette_haut="C",
            toilette_bas="C",
            habillage_haut="C",
            habillage_moyen="C",
            habillage_bas="C",
            alimentation_se_servir="B",
            alimentation_manger="B",
            elimination_urinaire="C",
            elimination_fecale="C",
            transferts="C",
            deplacements_interieurs="C",
        ),
        2,
        id="lucide-alite-gir2",
    ),
    # Needs help for washing and dressing only: group H, rank 11.
    pytest.param(
        grid(toilette_haut="B", toilette_bas="B", habillage_haut="B", habillage_bas="B"), 4, id="toilette-gir4"
    ),
]


@pytest.fixture
def coordinator(member_client):
    return member_client(role=Role.COORDINATOR)


@pytest.mark.parametrize(("answers", "gir"), PROFILES)
def test_aggir_through_the_view_gives_the_gir_of_the_annex(coordinator, answers, gir):
    client, membership = coordinator
    person = PersonFactory(organisation=membership.organisation)
    url = reverse("casework:assessment_create", args=[person.pk, "aggir"])
    response = client.post(url, post_data(answers))
    assert response.status_code == 302, response.content.decode()[:2000]
    version = AssessmentVersion.objects.get(assessment__person=person)
    assert version.gir == gir
    assert version.results["gir"] == gir
    page = client.get(response["Location"]).content.decode()
    assert f"GIR</th><td>{gir}" in page.replace("\n", "").replace("  ", "")


def test_aggir_refuses_an_incomplete_grid_in_french_and_saves_nothing(coordinator):
    client, membership = coordinator
    person = PersonFactory(organisation=membership.organisation)
    answers = grid()
    del answers["toilette_bas"]
    answers["transferts"] = "D"
    response = client.post(reverse("casework:assessment_create", args=[person.pk, "aggir"]), post_data(answers))
    assert response.status_code == 200
    body = response.content.decode()
    assert "« Toilette du bas » : choisissez A, B ou C." in body
    assert "« Transferts » : « D » n&#x27;est pas une réponse possible." in body
    assert "La grille est incomplète ou contient des réponses invalides : Toilette du bas, Transferts." in body
    assert not Assessment.objects.exists()


def test_aggir_preview_fragment_shows_levels_and_gir(coordinator):
    client, membership = coordinator
    person = PersonFactory(organisation=membership.organisation)
    url = reverse("casework:assessment_create", args=[person.pk, "aggir"])
    partial = client.post(url, {"toilette_haut": "A", "toilette_bas": "C"}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert "grille incomplète (15 réponses manquantes)" in body
    assert "<td>Toilette</td><td>B</td>" in body
    complete = client.post(url, post_data(grid()), HTTP_HX_REQUEST="true")
    assert 'id="gir-calcule">GIR 6<' in complete.content.decode()
    assert not Assessment.objects.exists()
    # The swapped fragment is the one the full page includes.
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode().strip()
    page = client.get(url).content.decode()
    assert fragment.startswith('<div id="apercu-gir-contenu">')
    assert fragment in page and 'hx-trigger="change"' in page


def test_signed_version_is_read_only_and_a_new_version_keeps_the_old(coordinator):
    client, membership = coordinator
    person = PersonFactory(organisation=membership.organisation)
    client.post(reverse("casework:assessment_create", args=[person.pk, "aggir"]), post_data(grid()))
    assessment = Assessment.objects.get()
    sign = reverse("casework:assessment_sign", args=[person.pk, assessment.pk])
    assert client.post(sign, {"confirm": "on", "number": 1}).status_code == 302
    v1 = assessment.versions.get()
    assert v1.is_signed and v1.signed_by == membership.user
    person.refresh_from_db()
    assert person.gir == 6 and person.gir_assessed_on == TODAY

    with pytest.raises(ApplicationError, match="déjà signée"):
        services.assessment_sign(actor=membership.user, organisation=membership.organisation, version=v1)

    worse = grid(toilette_haut="C", toilette_bas="C", habillage_haut="C", habillage_moyen="C", habillage_bas="C")
    edit = reverse("casework:assessment_edit", args=[person.pk, assessment.pk])
    assert client.post(edit, post_data(worse)).status_code == 302
    v1.refresh_from_db()
    assert v1.answers == {**ALL_A, **ILLUSTRATIVE} and v1.gir == 6  # unchanged
    v2 = assessment.versions.get(number=2)
    assert not v2.is_signed and v2.gir == services.aggir.compute_gir(services.aggir.variable_levels(worse))
    client.post(sign, {"confirm": "on", "number": 2})
    person.refresh_from_db()
    assert person.gir == v2.gir

    compare = client.get(reverse("casework:assessment_compare", args=[person.pk, assessment.pk]), {"de": 1, "a": 2})
    body = compare.content.decode()
    assert compare.status_code == 200
    assert "Modifié" in body and "Toilette du haut" in body
    assert AuditLogEntry.objects.filter(
        action=AuditLogEntry.Action.ACCESS, changes_text__contains="Comparaison"
    ).exists()


def test_only_the_author_signs_their_version(member_client):
    client, membership = member_client(role=Role.COORDINATOR)
    version = AssessmentVersionFactory(
        assessment=AssessmentFactory(person=PersonFactory(organisation=membership.organisation))
    )
    with pytest.raises(ApplicationError, match="auteur"):
        services.assessment_sign(actor=membership.user, organisation=membership.organisation, version=version)


def test_reception_agent_cannot_assess_but_reads(member_client):
    client, membership = member_client(role=Role.RECEPTION_AGENT)
    person = PersonFactory(organisation=membership.organisation)
    assert client.get(reverse("casework:assessment_create", args=[person.pk, "aggir"])).status_code == 404
    assert client.get(reverse("casework:assessment_list", args=[person.pk])).status_code == 200


FRAGILITY_CASES = [
    pytest.param({}, 1, id="niveau1"),
    pytest.param({"vit_seul": "oui", "contacts": "rare"}, 2, id="isolee-niveau2"),
    pytest.param({"vit_seul": "oui", "contacts": "rare", "sante": "degradee"}, 3, id="isolee-medical-niveau3"),
    pytest.param({"chute": "au_sol_ou_blesse"}, 4, id="urgence-niveau4"),
]


@pytest.mark.parametrize(("changes", "level"), FRAGILITY_CASES)
def test_fragility_screening_levels_and_next_steps(coordinator, changes, level):
    client, membership = coordinator
    person = PersonFactory(organisation=membership.organisation)
    answers = {q.key: q.options[0].key for q in DEFAULT_GRID.questions} | changes
    response = client.post(
        reverse("casework:assessment_create", args=[person.pk, "fragilite"]), post_data({}, mode="phone", **answers)
    )
    assert response.status_code == 302
    version = AssessmentVersion.objects.get()
    assert version.fragility_level == level
    assert version.grid_version == services.grid_version(DEFAULT_GRID)
    assert version.grid_version.startswith("visa-defaut-")
    body = client.get(response["Location"]).content.decode()
    assert f"Suites à donner (niveau {level})" in body
    assert DEFAULT_GRID.next_steps[level][0].replace("'", "&#x27;") in body


def test_fragility_not_isolated_with_needs_is_level_1_and_keeps_what_was_heard(coordinator):
    """Guide VISA (seed 003, l. 1064-1081): levels 2 and 3 need isolation. A person who is not
    isolated but cannot shop and whose health worsens is level 1 (it was level 3 before, the points of
    the need and the health question reaching the isolation threshold), and the page still says what
    was heard, with the next steps for the entourage and the attending doctor."""
    client, membership = coordinator
    person = PersonFactory(organisation=membership.organisation)
    answers = {q.key: q.options[0].key for q in DEFAULT_GRID.questions} | {"courses_repas": "non", "sante": "degradee"}
    response = client.post(
        reverse("casework:assessment_create", args=[person.pk, "fragilite"]), post_data({}, mode="phone", **answers)
    )
    version = AssessmentVersion.objects.get()
    assert (version.fragility_level, version.fragility_score) == (1, 4)
    assert version.results["isolated"] is False
    assert version.results["priority_needs"] == {"courses_repas": "non"}
    assert version.results["medical_concern"] == {"sante": "degradee"}
    body = client.get(response["Location"]).content.decode().replace("&#x27;", "'")
    assert "Suites à donner (niveau 1)" in body
    assert "Personne isolée</th><td>Non" in body
    assert "Arrivez-vous à faire vos courses et à préparer vos repas ? — Non" in body
    assert "Comment va votre santé en ce moment ? — Un problème nouveau ou qui s'aggrave" in body
    assert "médecin traitant" in body and "signaler à son entourage" in body


def test_fragility_screening_scored_under_the_former_rules_reads_as_such(coordinator):
    """A screening stored before the isolation rule keeps its level and shows no « isolée » row."""
    client, membership = coordinator
    person = PersonFactory(organisation=membership.organisation)
    version = AssessmentVersionFactory(
        assessment__person=person,
        assessment__organisation=membership.organisation,
        assessment__kind="fragility",
        answers={q.key: q.options[0].key for q in DEFAULT_GRID.questions} | {"mode": "phone"},
        results={"score": 1, "max_score": 24, "level": 3, "level_label": "Isolement", "next_steps": ["Appeler."]},
        gir=None,
        fragility_level=3,
        fragility_score=1,
        grid_version="visa-defaut-0123456789",
    )
    rows = dict(services.result_rows(version))
    assert rows["Grille utilisée"] == "Grille du guide VISA (version antérieure)"
    assert "Personne isolée" not in rows
    # Compared with a screening under the current rules, the rows only the new one has are shown.
    answers = {q.key: q.options[0].key for q in DEFAULT_GRID.questions} | {"mode": "phone"}
    newer = AssessmentVersionFactory(
        assessment=version.assessment, answers=answers, gir=None, **services.compute_results("fragility", answers)
    )
    compared = {row["label"]: row for row in services.versions_compare(version, newer)}
    assert compared["Personne isolée"]["first"] == "—" and compared["Personne isolée"]["second"] == "Non"
    assert compared["Personne isolée"]["changed"]


def test_fragility_missing_answer_names_the_question(coordinator):
    client, membership = coordinator
    person = PersonFactory(organisation=membership.organisation)
    response = client.post(reverse("casework:assessment_create", args=[person.pk, "fragilite"]), post_data({}))
    body = response.content.decode()
    assert "« Vivez-vous seul(e) à votre domicile ? » : choisissez une réponse." in body
    assert not Assessment.objects.exists()


def test_needs_assessment_uses_the_ten_needs_of_the_directory(coordinator):
    client, membership = coordinator
    person = PersonFactory(organisation=membership.organisation)
    terms = list(services.essential_needs())
    assert len(terms) == 10
    data = {f"need_{t.code}": "met" for t in terms} | {"need_se-nourrir": "not_met", "note_se-nourrir": "Frigo vide"}
    response = client.post(reverse("casework:assessment_create", args=[person.pk, "besoins"]), post_data({}, **data))
    assert response.status_code == 302
    version = AssessmentVersion.objects.get()
    assert version.answers["se-nourrir"] == {"status": "not_met", "note": "Frigo vide"}
    assert version.results["counts"] == {"met": 9, "partly_met": 0, "not_met": 1}
    body = client.get(response["Location"]).content.decode()
    assert "Non satisfait — Frigo vide" in body


def test_carer_assessment_names_the_relation(coordinator):
    client, membership = coordinator
    person = PersonFactory(organisation=membership.organisation)
    carer = RelationFactory(person=person, first_name="Lucie", last_name="Martin")
    other = RelationFactory()
    url = reverse("casework:assessment_create", args=[person.pk, "aidant"])
    refused = client.post(url, post_data({}, relation=other.pk, burden="heavy"))
    assert "ce proche n&#x27;est pas dans l&#x27;entourage" in refused.content.decode()
    response = client.post(
        url,
        post_data({}, relation=carer.pk, burden="heavy", exhaustion_signs=["sleep"], respite_wishes=["day_care"]),
    )
    assert response.status_code == 302
    version = AssessmentVersion.objects.get()
    assert version.carer_relation == carer
    body = client.get(response["Location"]).content.decode()
    assert "Accueil de jour" in body and "Lucie Martin" in body


def test_other_organisation_cannot_open_assessments(member_client):
    client, membership = member_client(role=Role.COORDINATOR)
    version = AssessmentVersionFactory(signed=True)
    person = version.assessment.person
    assert (
        client.get(reverse("casework:assessment_detail", args=[person.pk, version.assessment.pk])).status_code == 404
    )
    assert client.get(reverse("casework:assessment_list", args=[person.pk])).status_code == 404


def test_version_page_shows_an_older_version(coordinator):
    client, membership = coordinator
    person = PersonFactory(organisation=membership.organisation)
    assessment = AssessmentFactory(person=person, created_by=membership.user)
    AssessmentVersionFactory(assessment=assessment, number=1, signed=True, assessed_on=timezone.localdate())
    AssessmentVersionFactory(assessment=assessment, number=2, gir=4)
    response = client.get(reverse("casework:assessment_version", args=[person.pk, assessment.pk, 1]))
    assert "Version 1 du" in response.content.decode()
