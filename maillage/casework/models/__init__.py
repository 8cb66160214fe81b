"""Casework models, one module per part of the work (house style: split past ~400 lines)."""

from maillage.casework.models.care_team import BreakGlassAccess, CareTeamMember
from maillage.casework.models.requests import Contact, Request

__all__ = ["BreakGlassAccess", "CareTeamMember"]
__all__ += ["Contact", "Request"]
from maillage.casework.models.assessments import Assessment, AssessmentKind, AssessmentVersion  # noqa: E402
from maillage.casework.models.followup import Document, FollowUpTask, Note, NoteVersion  # noqa: E402
from maillage.casework.models.plans import CarePlan, CarePlanAction, CarePlanGoal, CarePlanReview  # noqa: E402

__all__ += ["Assessment", "AssessmentKind", "AssessmentVersion", "Document", "FollowUpTask", "Note", "NoteVersion"]
__all__ += ["CarePlan", "CarePlanAction", "CarePlanGoal", "CarePlanReview"]
