"""Reads of assessments and plans, scoped by core/access.py (the person is authorised first)."""

from django.db.models import Prefetch
from django.http import Http404

from maillage.casework.models import Assessment, AssessmentVersion, CarePlan
from maillage.people.models import Person


def assessment_list(*, person: Person):
    """The person's assessments with their versions (newest first). The caller has authorised the
    person with `core.access.get_assessable_person_for`."""
    return (
        Assessment.objects.filter(person=person)
        .select_related("organisation")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=AssessmentVersion.objects.select_related("author", "signed_by").order_by("-number"),
            )
        )
        .order_by("kind", "-created_at")
    )


def assessment_get(*, person: Person, pk) -> Assessment:
    assessment = Assessment.objects.select_related("person", "organisation").filter(person=person, pk=pk).first()
    if assessment is None:
        raise Http404("Évaluation introuvable.")
    return assessment


def assessment_version_get(*, assessment: Assessment, number) -> AssessmentVersion:
    version = (
        AssessmentVersion.objects.select_related("author", "signed_by", "carer_relation")
        .filter(assessment=assessment, number=number)
        .first()
    )
    if version is None:
        raise Http404("Version introuvable.")
    return version


def care_plan_list(*, person: Person):
    return CarePlan.objects.filter(person=person).select_related("coordinator", "organisation")


def care_plan_get(*, person: Person, pk) -> CarePlan:
    plan = (
        CarePlan.objects.select_related("person", "organisation", "coordinator").filter(person=person, pk=pk).first()
    )
    if plan is None:
        raise Http404("Plan introuvable.")
    return plan
