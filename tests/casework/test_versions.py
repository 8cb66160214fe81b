"""Optimistic locking of care plans and assessment drafts (core.versioning): a save prepared on an
older version is refused, and the page shows what was typed beside what is saved now."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from maillage.casework.models import Assessment, CarePlan
from maillage.casework.services import assessments as assessment_services
from maillage.core.enums import Role
from maillage.core.versioning import StaleVersionError
from tests.casework.factories_assessments import CarePlanFactory
from tests.casework.test_assessments import grid, post_data
from tests.conftest import login_verified
from tests.core.factories import MembershipFactory
from tests.people.factories import PersonFactory
from tests.people.form_data import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_coordinators(client):
    first = MembershipFactory(role=Role.COORDINATOR, user__first_name="Alice", user__last_name="Martin")
    second = MembershipFactory(role=Role.COORDINATOR, organisation=first.organisation)
    return first, login_verified(client, first.user), login_verified(Client(), second.user)


def test_second_save_of_a_care_plan_read_before_the_first_is_refused_with_both_versions(two_coordinators):
    first, alice, bob = two_coordinators
    person = PersonFactory(organisation=first.organisation)
    plan = CarePlanFactory(person=person, coordinator=first.user, created_by=first.user, title="Rester chez soi")
    url = reverse("casework:plan_edit", args=[person.pk, plan.pk])
    alice_data = form_data(alice.get(url).context["form"])
    bob_data = form_data(bob.get(url).context["form"])
    saved = alice.post(url, {**alice_data, "title": "Rester chez soi en sécurité"})
    assert saved.status_code == 302, saved.context["form"].errors

    response = bob.post(url, {**bob_data, "title": "Retour à domicile"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "modifiée entre-temps par Alice Martin" in page and "Ce qui est enregistré maintenant" in page
    assert "Retour à domicile" in page and "Rester chez soi en sécurité" in page
    plan.refresh_from_db()
    assert plan.title == "Rester chez soi en sécurité"
    resent = bob.post(url, form_data(response.context["form"]))
    assert resent.status_code == 302, (resent.context["form"].errors, form_data(response.context["form"]))
    assert CarePlan.objects.get(pk=plan.pk).title == "Retour à domicile"


def test_second_save_of_an_assessment_draft_is_refused_with_both_versions(two_coordinators):
    first, alice, bob = two_coordinators
    person = PersonFactory(organisation=first.organisation)
    alice.post(
        reverse("casework:assessment_create", args=[person.pk, "aggir"]),
        post_data(grid(), assessed_on=datetime.date(2026, 3, 2).isoformat()),
    )
    assessment = Assessment.objects.get()
    url = reverse("casework:assessment_edit", args=[person.pk, assessment.pk])
    bob_version = bob.get(url).context["form"]["version"].value()
    assert (
        alice.post(url, {**post_data(grid(), summary="Vu par Alice"), "version": assessment.version}).status_code
        == 302
    )

    response = bob.post(url, {**post_data(grid(), summary="Vu par Bob"), "version": bob_version})
    assert response.status_code == 200
    page = response.content.decode()
    assert "modifiée entre-temps par Alice Martin" in page and "Ce qui est enregistré maintenant" in page
    assert "Vu par Bob" in page and "Vu par Alice" in page
    assert assessment.latest_version.summary == "Vu par Alice"


def test_assessment_update_refuses_a_draft_signed_since():
    membership = MembershipFactory(role=Role.COORDINATOR)
    person = PersonFactory(organisation=membership.organisation)
    kwargs = {"actor": membership.user, "organisation": membership.organisation}
    version = assessment_services.assessment_create(
        **kwargs, person=person, kind="aggir", answers=grid(), assessed_on=datetime.date(2026, 3, 2)
    )
    read_at = version.assessment.version
    assessment_services.assessment_sign(**kwargs, version=version)
    with pytest.raises(StaleVersionError):
        assessment_services.assessment_update(
            **kwargs,
            assessment=Assessment.objects.get(),
            answers=grid(),
            assessed_on=datetime.date(2026, 3, 2),
            version=read_at,
        )
