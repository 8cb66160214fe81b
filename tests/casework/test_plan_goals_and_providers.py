"""The care plan starts from the needs found « not met » in the last signed needs assessment, and
« who provides » an action is searched in the directory (issue 11, point 7)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.casework.models import CarePlan, CarePlanAction
from maillage.casework.services.assessments import essential_needs
from maillage.core.enums import Role
from tests.casework.factories_assessments import AssessmentFactory, AssessmentVersionFactory, CarePlanFactory
from tests.conftest import login_verified
from tests.core.factories import MembershipFactory
from tests.directory.factories import ServiceFactory
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(client):
    membership = MembershipFactory(role=Role.COORDINATOR)
    login_verified(client, membership.user)
    return client, membership


def _needs(person, author, statuses: dict, *, signed=True, number=1, assessment=None):
    answers = {term.code: {"status": "met", "note": ""} for term in essential_needs()}
    answers.update(statuses)
    assessment = assessment or AssessmentFactory(person=person, kind="needs", created_by=author)
    extra = {"signed_at": timezone.now(), "signed_by": author} if signed else {}
    return AssessmentVersionFactory(
        assessment=assessment, number=number, answers=answers, gir=None, author=author, **extra
    )


PLAN = {"kind": "care_plan", "title": "Rester chez moi", "status": "draft", "starts_on": "2026-03-01"}


def test_the_new_plan_proposes_the_needs_not_met_in_the_last_signed_assessment(coordinator):
    client, membership = coordinator
    person = PersonFactory(organisation=membership.organisation)
    first = _needs(person, membership.user, {"retirer-de-l-argent": {"status": "not_met", "note": ""}})
    _needs(
        person,
        membership.user,
        {
            "se-nourrir": {"status": "not_met", "note": "Frigo vide"},
            "parler-avec-autrui": {"status": "not_met", "note": ""},
            "prendre-soin-de-soi-et-se-soigner": {"status": "partly_met", "note": "Suivi irrégulier"},
        },
        number=2,
        assessment=first.assessment,
    )
    _needs(
        person,
        membership.user,
        {"s-occuper-et-se-cultiver": {"status": "not_met", "note": ""}},
        signed=False,
        number=3,
        assessment=first.assessment,
    )  # a draft proposes nothing
    page = client.get(reverse("casework:plan_create", args=[person.pk])).content.decode()
    assert "Objectifs proposés : besoins non satisfaits à l&#x27;évaluation signée le" in page
    assert 'value="Se nourrir : Frigo vide"' in page
    assert "Garder l&#x27;objectif pour le besoin « Parler avec autrui »" in page
    assert "Retirer de l&#x27;argent" not in page  # found in an older version only
    assert "Prendre soin de soi" not in page  # partly met: not proposed
    assert "S&#x27;occuper et se cultiver" not in page


def test_kept_goals_are_created_with_the_plan_as_edited_and_unticked_ones_are_not(coordinator):
    client, membership = coordinator
    person = PersonFactory(organisation=membership.organisation)
    _needs(
        person,
        membership.user,
        {
            "se-nourrir": {"status": "not_met", "note": "Frigo vide"},
            "parler-avec-autrui": {"status": "not_met", "note": ""},
        },
    )
    data = {
        **PLAN,
        "coordinator": membership.user.pk,
        "objectifs-keep_se-nourrir": "on",
        "objectifs-text_se-nourrir": "Des repas livrés chaque midi",
        "objectifs-text_parler-avec-autrui": "Parler avec autrui",  # unticked: not kept
    }
    response = client.post(reverse("casework:plan_create", args=[person.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    plan = CarePlan.objects.get()
    assert [(g.need.code, g.description) for g in plan.goals.all()] == [("se-nourrir", "Des repas livrés chaque midi")]


def test_a_kept_goal_without_words_is_refused_and_nothing_is_lost(coordinator):
    client, membership = coordinator
    person = PersonFactory(organisation=membership.organisation)
    _needs(person, membership.user, {"se-nourrir": {"status": "not_met", "note": ""}})
    data = {
        **PLAN,
        "coordinator": membership.user.pk,
        "objectifs-keep_se-nourrir": "on",
        "objectifs-text_se-nourrir": "",
    }
    response = client.post(reverse("casework:plan_create", args=[person.pk]), data)
    page = response.content.decode()
    assert "Écrivez l&#x27;objectif pour « Se nourrir », ou décochez-le" in page
    assert 'value="Rester chez moi"' in page
    assert not CarePlan.objects.exists()


def test_without_a_signed_needs_assessment_no_goal_is_proposed(coordinator):
    client, membership = coordinator
    person = PersonFactory(organisation=membership.organisation)
    _needs(person, membership.user, {"se-nourrir": {"status": "not_met", "note": ""}}, signed=False)
    page = client.get(reverse("casework:plan_create", args=[person.pk])).content.decode()
    assert "Objectifs proposés" not in page


@pytest.fixture
def plan(coordinator):
    client, membership = coordinator
    person = PersonFactory(organisation=membership.organisation)
    plan = CarePlanFactory(person=person, organisation=membership.organisation, coordinator=membership.user)
    meals = ServiceFactory(name="Portage de repas à domicile")
    day = ServiceFactory(name="Accueil de jour Les Glycines")
    draft = ServiceFactory(name="Portage de repas (brouillon d'ailleurs)", draft=True)
    return client, person, plan, {"meals": meals, "day": day, "draft": draft}


def test_who_provides_is_searched_in_the_directory_not_listed(plan):
    client, person, plan, services = plan
    page = client.get(reverse("casework:plan_action_create", args=[person.pk, plan.pk])).content.decode()
    assert "Accueil de jour Les Glycines" not in page and "Portage de repas à domicile" not in page  # no list
    url = reverse("casework:plan_action_services", args=[person.pk, plan.pk])
    fragment = client.get(url, {"service_q": "portage repas"}, HTTP_HX_REQUEST="true").content.decode()
    assert f'name="provider_service" value="{services["meals"].pk}"' in fragment
    assert "Accueil de jour" not in fragment
    assert "brouillon d&#x27;ailleurs" not in fragment  # another organisation's draft is never shown
    assert "Aucun service de l'annuaire" in fragment
    page = client.get(url, {"service_q": "portage repas"}).content.decode()
    assert "<h1>Nouvelle action</h1>" in page and fragment.strip() in page


def test_the_action_names_the_service_chosen_and_keeps_it_when_edited(plan):
    client, person, plan, services = plan
    url = reverse("casework:plan_action_create", args=[person.pk, plan.pk])
    data = {
        "what": "Repas",
        "provider_service": services["meals"].pk,
        "cost_period": "month",
        "funding": "none",
        "status": "planned",
    }
    assert client.post(url, data).status_code == 302
    action = CarePlanAction.objects.get()
    assert action.provider_service == services["meals"]
    edit = client.get(reverse("casework:plan_action_edit", args=[person.pk, plan.pk, action.pk])).content.decode()
    assert f'value="{services["meals"].pk}" form="form-action" checked' in edit


def test_without_javascript_the_search_keeps_what_was_typed(plan):
    client, person, plan, services = plan
    url = reverse("casework:plan_action_create", args=[person.pk, plan.pk])
    response = client.post(
        url,
        {
            "what": "Repas du midi",
            "service_q": "portage",
            "chercher": "1",
            "cost_period": "month",
            "funding": "none",
            "status": "planned",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and not CarePlanAction.objects.exists()
    assert 'value="Repas du midi"' in page and "Portage de repas à domicile" in page


@pytest.mark.parametrize("forged", ["draft", "12abc", "99999999"])
def test_a_forged_service_is_refused_in_french(plan, forged):
    client, person, plan, services = plan
    value = services["draft"].pk if forged == "draft" else forged
    url = reverse("casework:plan_action_create", args=[person.pk, plan.pk])
    response = client.post(
        url,
        {"what": "Repas", "provider_service": value, "cost_period": "month", "funding": "none", "status": "planned"},
    )
    assert response.status_code == 400
    assert "Ce service n&#x27;est pas dans l&#x27;annuaire" in response.content.decode()
    assert not CarePlanAction.objects.exists()


@pytest.mark.parametrize("who", ["other-organisation", "ended-membership", "volunteer", "director"])
def test_the_service_search_goes_through_the_grant(client, who):
    owner = MembershipFactory(role=Role.COORDINATOR)
    person = PersonFactory(organisation=owner.organisation)
    plan = CarePlanFactory(person=person, organisation=owner.organisation, coordinator=owner.user)
    ServiceFactory(name="Portage de repas à domicile")
    role = Role.DIRECTOR if who == "director" else Role.VOLUNTEER if who == "volunteer" else Role.COORDINATOR
    kwargs = {"role": role, "is_active": who != "ended-membership"}
    if who != "other-organisation":
        kwargs["organisation"] = owner.organisation
    login_verified(client, MembershipFactory(**kwargs).user)
    url = reverse("casework:plan_action_services", args=[person.pk, plan.pk])
    assert client.get(url, {"service_q": "portage"}, HTTP_HX_REQUEST="true").status_code == 404
