"""Reads of the follow-up: notes (by visibility), tasks, documents, the coordinator's caseload, and
the assessment, plan, note and document events of the person's timeline."""

from django.db.models import Count, Max, Min, OuterRef, Q, Subquery
from django.urls import reverse

from maillage.casework.models import AssessmentVersion, Contact, FollowUpTask
from maillage.casework.selectors.timeline import TimelineEvent, register_source
from maillage.core import access, grammar
from maillage.core.models import Organisation, User
from maillage.people.models import Person


def note_list(*, grant):
    """The person's notes the grant opens (by visibility)."""
    return grant.notes().select_related("author", "organisation").prefetch_related("versions")


def followup_task_list(*, organisation: Organisation, person: Person):
    return FollowUpTask.objects.filter(person=person, organisation=organisation).select_related("assignee")


def document_list(*, grant):
    return grant.documents().select_related("uploaded_by")


def caseload(*, actor: User, organisation: Organisation):
    """The coordinator's persons (care-team referent or creator of the file) with the next review
    of their live plans, their open tasks for the actor and the date of the last contact."""
    live_plans = Q(care_plans__status__in=["draft", "active"], care_plans__organisation=organisation)
    last_contact = Contact.objects.filter(person=OuterRef("pk")).order_by("-occurred_at").values("occurred_at")[:1]
    open_tasks = (
        FollowUpTask.objects.filter(person=OuterRef("pk"), assignee=actor, done_at__isnull=True)
        .values("person")
        .annotate(n=Count("pk"))
        .values("n")
    )
    next_task = (
        FollowUpTask.objects.filter(person=OuterRef("pk"), assignee=actor, done_at__isnull=True)
        .order_by("due_on")
        .values("due_on")[:1]
    )
    return (
        access.caseload_persons_for(actor, organisation)
        .annotate(
            next_review_on=Min("care_plans__next_review_on", filter=live_plans),
            last_contact_at=Subquery(last_contact),
            open_task_count=Subquery(open_tasks),
            next_task_on=Subquery(next_task),
            last_note_at=Max("notes__created_at", filter=Q(notes__author=actor)),
        )
        .order_by("next_review_on", "last_name", "first_names")
    )


# --- Timeline sources ---------------------------------------------------------------------------


def _before(qs, field, before):
    return qs.filter(**{f"{field}__lt": before}) if before is not None else qs


def _signed_assessments(*, grant, before, limit):
    person = grant.person
    qs = AssessmentVersion.objects.filter(assessment__in=grant.assessments(), signed_at__isnull=False).select_related(
        "assessment", "signed_by"
    )
    events = []
    for version in _before(qs, "signed_at", before).order_by("-signed_at")[:limit]:
        kind = version.assessment.get_kind_display()
        title = f"{kind} {grammar.agree('signé', kind)} (version {version.number})"
        summary = f"GIR {version.gir}" if version.gir else ""
        if version.fragility_level:
            summary = f"Niveau de fragilité {version.fragility_level}"
        events.append(
            TimelineEvent(
                kind="assessment",
                date=version.signed_at,
                title=title,
                summary=summary,
                author=version.signed_by.get_full_name() if version.signed_by else "",
                url=reverse("casework:assessment_detail", args=[person.pk, version.assessment_id]),
                key=f"assessment-{version.pk}",
            )
        )
    return events


def _plans(*, grant, before, limit):
    person = grant.person
    qs = grant.plans().select_related("created_by")
    return [
        TimelineEvent(
            kind="plan",
            date=plan.created_at,
            title=f"{plan.get_kind_display()} : {plan.title}",
            author=plan.created_by.get_full_name() if plan.created_by else "",
            url=reverse("casework:plan_detail", args=[person.pk, plan.pk]),
            key=f"plan-{plan.pk}",
        )
        for plan in _before(qs, "created_at", before).order_by("-created_at")[:limit]
    ]


def _notes(*, grant, before, limit):
    person = grant.person
    qs = grant.notes().select_related("author")
    return [
        TimelineEvent(
            kind="note",
            date=note.created_at,
            title="Note de suivi",
            summary=note.body,
            author=note.author.get_full_name(),
            url=reverse("casework:note_list", args=[person.pk]),
            key=f"note-{note.pk}",
        )
        for note in _before(qs, "created_at", before).order_by("-created_at")[:limit]
    ]


def _documents(*, grant, before, limit):
    person = grant.person
    qs = grant.documents().select_related("uploaded_by")
    return [
        TimelineEvent(
            kind="document",
            date=doc.uploaded_at,
            title=f"Document déposé : {doc.title}",
            summary=doc.get_kind_display(),
            author=doc.uploaded_by.get_full_name(),
            url=reverse("casework:document_list", args=[person.pk]),
            key=f"document-{doc.pk}",
        )
        for doc in _before(qs, "uploaded_at", before).order_by("-uploaded_at")[:limit]
    ]


def register_timeline_sources() -> None:
    """Register this module's sources; CaseworkConfig.ready() calls it at start-up (idempotent)."""
    register_source("assessment", "Évaluations", _signed_assessments)
    register_source("plan", "Plans", _plans)
    register_source("note", "Notes", _notes)
    register_source("document", "Documents", _documents)
