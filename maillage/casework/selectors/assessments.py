"""Reads of assessments and plans, through the grant that opens the person's file (core.access.grants)."""

from django.db.models import Prefetch
from django.http import Http404

from maillage.casework.models import Assessment, AssessmentVersion, CarePlan


def assessment_list(*, grant):
    """The person's assessments the grant opens, with their versions (newest first)."""
    return (
        grant.assessments()
        .select_related("organisation")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=AssessmentVersion.objects.select_related("author", "signed_by").order_by("-number"),
            )
        )
        .order_by("kind", "-created_at")
    )


def assessment_get(*, grant, pk) -> Assessment:
    assessment = grant.assessments().select_related("person", "organisation").filter(pk=pk).first()
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


def care_plan_list(*, grant):
    return grant.plans().select_related("coordinator", "organisation")


def care_plan_get(*, grant, pk) -> CarePlan:
    plan = grant.plans().select_related("person", "organisation", "coordinator").filter(pk=pk).first()
    if plan is None:
        raise Http404("Plan introuvable.")
    return plan


def unmet_needs(*, grant):
    """The needs found « not met » in the person's last signed assessment of the ten essential
    needs that the grant opens: (that version, [(term, note), …]) in the needs' order, or (None, [])
    when there is none. A draft proposes nothing: only what was signed is a finding."""
    from maillage.casework.models import AssessmentKind
    from maillage.casework.services.assessments import essential_needs

    version = (
        AssessmentVersion.objects.filter(
            assessment__in=grant.assessments().filter(kind=AssessmentKind.NEEDS), signed_at__isnull=False
        )
        .order_by("-signed_at", "-pk")
        .first()
    )
    if version is None:
        return None, []
    answers = version.answers or {}
    found = [
        (term, (answers[term.code].get("note") or "").strip())
        for term in essential_needs()
        if isinstance(answers.get(term.code), dict) and answers[term.code].get("status") == "not_met"
    ]
    return version, found
