"""Casework models holding personal data, under audit: `register`'s default (personal data) keeps
who changed which fields of which record, never the values (decisions.md, item 15)."""

from maillage.casework.models import BreakGlassAccess, CareTeamMember
from maillage.core.audit import register

register(CareTeamMember)
register(BreakGlassAccess)

# Requests and contacts (casework/models/requests.py).
from maillage.casework.models import Contact, Request  # noqa: E402

register(Request)
register(Contact)

# Assessments, plans and follow-up (casework/models/assessments.py, plans.py, followup.py).
from maillage.casework.models import (  # noqa: E402
    Assessment,
    AssessmentVersion,
    CarePlan,
    CarePlanAction,
    CarePlanGoal,
    CarePlanReview,
    Document,
    FollowUpTask,
    Note,
)

register(Assessment)
register(AssessmentVersion)
register(CarePlan, exclude_fields=["updated_at"])
register(CarePlanGoal)
register(CarePlanAction)
register(CarePlanReview)
register(Note)
register(FollowUpTask)
register(Document)
