"""The assessments', plans' and follow-up's rows of the access matrix
(tests/core/test_access_matrix.py), for core to merge:

    from tests.casework.access_matrix_assessments import assessment_cases
    CASES += assessment_cases(Case)

Not a test module itself (tests/core is owned by the core team).
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from maillage.core.enums import Role
from tests.casework.factories_assessments import (
    AssessmentFactory,
    AssessmentVersionFactory,
    CarePlanActionFactory,
    CarePlanFactory,
    FollowUpTaskFactory,
)
from tests.people.factories import PersonFactory

# Who opens a person's file in their own organisation (core/access.py, Perm.VIEW_PERSON).
READERS = frozenset({Role.RECEPTION_AGENT, Role.COORDINATOR, Role.REGISTER_MANAGER, Role.DIRECTOR, Role.DPO})
# Who assesses and plans (core/access.py, CASEWORK_WRITER_ROLES).
WRITERS = frozenset({Role.COORDINATOR})


def _person(world, organisation):
    return PersonFactory(organisation=organisation)


def _assessment(world, organisation):
    version = AssessmentVersionFactory(assessment=AssessmentFactory(person=_person(world, organisation)), number=1)
    return {"pk": version.assessment.person_id, "assessment_pk": version.assessment_id}


def _version(world, organisation):
    return {**_assessment(world, organisation), "number": 1}


def _plan(world, organisation):
    plan = CarePlanFactory(person=_person(world, organisation))
    return {"pk": plan.person_id, "plan_pk": plan.pk}


def _action(world, organisation):
    action = CarePlanActionFactory(plan=CarePlanFactory(person=_person(world, organisation)))
    return {"pk": action.plan.person_id, "plan_pk": action.plan_id, "action_pk": action.pk}


def _task(world, organisation):
    task = FollowUpTaskFactory(person=_person(world, organisation))
    return {"pk": task.person_id, "task_pk": task.pk}


def _note(world, organisation):
    from tests.casework.factories_assessments import NoteFactory

    note = NoteFactory(person=_person(world, organisation), author=world.other_member.user)
    return {"pk": note.person_id, "note_pk": note.pk}


def _document(world, organisation):
    from maillage.casework.models import Document

    person = _person(world, organisation)
    document = Document(
        person=person,
        organisation=organisation,
        kind="other",
        title="Avis",
        original_name="avis.pdf",
        content_type="application/pdf",
        size=9,
        retain_until="2099-01-01",
        uploaded_by=world.other_member.user,
    )
    document.file.save("avis.pdf", SimpleUploadedFile("avis.pdf", b"%PDF-1.4\n"), save=False)
    document.save()
    return {"pk": person.pk, "document_pk": document.pk}


def own(build, **extra):
    return lambda w: {**build(w, w.own), **extra}


def other(build, **extra):
    return lambda w: {**build(w, w.other), **extra}


def _p(w, organisation):
    return {"pk": _person(w, organisation).pk}


def assessment_cases(Case):  # noqa: N803 — the matrix's Case class, passed in to avoid an import cycle
    return [
        Case("casework:assessment_list", kwargs=own(_p), other_kwargs=other(_p), allowed=READERS),
        Case(
            "casework:assessment_create",
            kwargs=own(_p, kind="aggir"),
            other_kwargs=other(_p, kind="aggir"),
            allowed=WRITERS,
        ),
        Case("casework:assessment_detail", kwargs=own(_assessment), other_kwargs=other(_assessment), allowed=READERS),
        Case("casework:assessment_version", kwargs=own(_version), other_kwargs=other(_version), allowed=READERS),
        Case("casework:assessment_edit", kwargs=own(_assessment), other_kwargs=other(_assessment), allowed=WRITERS),
        Case(
            "casework:assessment_sign",
            kwargs=own(_assessment),
            other_kwargs=other(_assessment),
            allowed=WRITERS,
            method="post",
            allowed_status=(302,),  # refused with a message: only the author signs
            data={"confirm": "on", "number": 1},
        ),
        Case(  # the confirmation page: for a version one did not write, a message and back
            "casework:assessment_sign",
            kwargs=own(_assessment),
            other_kwargs=other(_assessment),
            allowed=WRITERS,
            allowed_status=(302,),
        ),
        Case("casework:assessment_compare", kwargs=own(_assessment), other_kwargs=other(_assessment), allowed=READERS),
        Case("casework:plan_list", kwargs=own(_p), other_kwargs=other(_p), allowed=READERS),
        Case("casework:plan_create", kwargs=own(_p), other_kwargs=other(_p), allowed=WRITERS),
        Case("casework:plan_detail", kwargs=own(_plan), other_kwargs=other(_plan), allowed=READERS),
        Case("casework:plan_edit", kwargs=own(_plan), other_kwargs=other(_plan), allowed=WRITERS),
        Case(
            "casework:plan_goal_add",
            kwargs=own(_plan),
            other_kwargs=other(_plan),
            allowed=WRITERS,
            method="post",
            allowed_status=(302,),
        ),
        Case("casework:plan_action_create", kwargs=own(_plan), other_kwargs=other(_plan), allowed=WRITERS),
        Case("casework:plan_action_edit", kwargs=own(_action), other_kwargs=other(_action), allowed=WRITERS),
        Case(  # « who provides »: the directory's search, through the person's grant
            "casework:plan_action_services",
            kwargs=own(_plan),
            other_kwargs=other(_plan),
            allowed=WRITERS,
            data={"service_q": "repas"},
        ),
        Case(
            "casework:plan_review",
            kwargs=own(_plan),
            other_kwargs=other(_plan),
            allowed=WRITERS,
            method="post",
            allowed_status=(302,),
        ),
        Case(
            "casework:plan_pdf",
            kwargs=own(_plan, audience="professionnels"),
            other_kwargs=other(_plan, audience="professionnels"),
            allowed=READERS,
            data={"format": "html"},  # the PDF's HTML, so that the matrix can read it for leaks
        ),
        Case("casework:note_list", kwargs=own(_p), other_kwargs=other(_p), allowed=READERS),
        # Only the note's author corrects it: refused to every role of the organisation.
        Case("casework:note_edit", kwargs=own(_note), other_kwargs=other(_note), allowed=frozenset()),
        Case(
            "casework:task_create",
            kwargs=own(_p),
            other_kwargs=other(_p),
            allowed=WRITERS,
            method="post",
            allowed_status=(400,),  # empty form: the task's page, with the errors
        ),
        Case(
            "casework:task_complete",
            kwargs=own(_task),
            other_kwargs=other(_task),
            allowed=WRITERS,
            method="post",
            allowed_status=(302,),
        ),
        Case("casework:document_list", kwargs=own(_p), other_kwargs=other(_p), allowed=READERS),
        Case("casework:document_download", kwargs=own(_document), other_kwargs=other(_document), allowed=READERS),
        Case("casework:caseload"),
    ]
