"""Factories of assessments, plans and follow-up (casework/models/assessments.py, plans.py,
followup.py). Kept apart from tests/casework/factories.py (requests), owned by another module."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from maillage.casework import aggir
from maillage.casework.models import (
    Assessment,
    AssessmentVersion,
    CarePlan,
    CarePlanAction,
    CarePlanGoal,
    FollowUpTask,
    Note,
)
from maillage.casework.models.plans import FundingSource
from tests.core.factories import OrganisationFactory, UserFactory
from tests.people.factories import PersonFactory

ALL_A = dict.fromkeys(aggir.ALL_SUB_VARIABLES, "A")


class AssessmentFactory(DjangoModelFactory):
    class Meta:
        model = Assessment

    person = factory.SubFactory(PersonFactory)
    organisation = factory.SelfAttribute("person.organisation")
    kind = "aggir"
    created_by = factory.SubFactory(UserFactory)


class AssessmentVersionFactory(DjangoModelFactory):
    class Meta:
        model = AssessmentVersion

    assessment = factory.SubFactory(AssessmentFactory)
    number = factory.Sequence(lambda n: n + 1)
    answers = factory.LazyFunction(lambda: dict(ALL_A))
    gir = 6
    author = factory.SelfAttribute("assessment.created_by")

    class Params:
        signed = factory.Trait(signed_at=factory.LazyFunction(timezone.now), signed_by=factory.SelfAttribute("author"))


class CarePlanFactory(DjangoModelFactory):
    class Meta:
        model = CarePlan

    person = factory.SubFactory(PersonFactory)
    organisation = factory.SelfAttribute("person.organisation")
    title = "Rester chez soi en sécurité"
    coordinator = factory.SubFactory(UserFactory)
    status = "active"


class CarePlanGoalFactory(DjangoModelFactory):
    class Meta:
        model = CarePlanGoal

    plan = factory.SubFactory(CarePlanFactory)
    description = "Manger équilibré chaque jour"


class CarePlanActionFactory(DjangoModelFactory):
    class Meta:
        model = CarePlanAction

    plan = factory.SubFactory(CarePlanFactory)
    what = "Portage de repas à domicile"
    provider_organisation = factory.SubFactory(OrganisationFactory)
    starts_on = factory.LazyFunction(timezone.localdate)
    cost = 120
    funding = FundingSource.APA


class NoteFactory(DjangoModelFactory):
    class Meta:
        model = Note

    person = factory.SubFactory(PersonFactory)
    organisation = factory.SelfAttribute("person.organisation")
    author = factory.SubFactory(UserFactory)
    body = factory.Faker("sentence", locale="fr_FR")


class FollowUpTaskFactory(DjangoModelFactory):
    class Meta:
        model = FollowUpTask

    person = factory.SubFactory(PersonFactory)
    organisation = factory.SelfAttribute("person.organisation")
    assignee = factory.SubFactory(UserFactory)
    title = "Rappeler la fille de la personne"
    due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=3))
