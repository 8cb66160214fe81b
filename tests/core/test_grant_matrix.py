"""The grant matrix: every page that shows a person's data, opened by every path a user may hold to
the file — own organisation × role, care team (active, ended, consent given or withdrawn, a
deactivated membership, a volunteer, a partner, the same user working for another organisation),
break-glass (emergency set, whole file, expired) and a password without its second factor.

The expectations are written from the rules (core/access/grants.py docstring; decisions.md 23), not
read from the grant function: a page opens exactly where the table says, and a page that opens
shows nothing the path does not give (another organisation's requests and notes, a colleague's
private note, the entourage beyond the emergency contacts).
"""

import datetime
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from maillage.casework.models import BreakGlassAccess, CareTeamMember, Document
from maillage.core.enums import Role
from maillage.core.middleware import SESSION_ORGANISATION_KEY
from maillage.core.models import AuditLogEntry
from maillage.people.enums import ConsentScope, RelationKind
from tests.casework.factories import RequestFactory
from tests.casework.factories_assessments import (
    AssessmentFactory,
    AssessmentVersionFactory,
    CarePlanActionFactory,
    CarePlanFactory,
    NoteFactory,
)
from tests.conftest import login_verified
from tests.core.factories import MembershipFactory, OrganisationFactory
from tests.people.factories import ConsentFactory, PersonFactory, RelationFactory

NAME = "Quennevilliers"
SECRET_REQUEST = "demande-secrete-alpha"
SECRET_ORG_NOTE = "note-interne-alpha"
SECRET_PRIVATE_NOTE = "note-privee-collegue"
TEAM_NOTE = "note-equipe-partagee"
DOCUMENT_TITLE = "Compte-rendu-hospitalier"
FAR_RELATION = "Cousinlointain"
LEGAL_REPRESENTATIVE = "Tuteurlegal"


@dataclass
class File:
    person: object
    alpha: object
    plan: object
    assessment: object
    document: object
    request: object
    consent: object


@pytest.fixture
def file(db):
    """A person of « Alpha » with a whole file: relations, plan, assessment, notes of every
    visibility, a document, a request of Alpha."""
    alpha = OrganisationFactory(name="CCAS Alpha")
    colleague = MembershipFactory(organisation=alpha, role=Role.COORDINATOR)
    person = PersonFactory(organisation=alpha, last_name=NAME)
    RelationFactory(person=person, kind=RelationKind.LEGAL_REPRESENTATIVE, last_name=LEGAL_REPRESENTATIVE)
    RelationFactory(person=person, kind=RelationKind.FAMILY, last_name=FAR_RELATION, is_emergency_contact=False)
    plan = CarePlanFactory(person=person, coordinator=colleague.user, status="active")
    CarePlanActionFactory(plan=plan, provider_organisation=None, provider_name="Voisine du palier")
    assessment = AssessmentFactory(person=person, created_by=colleague.user)
    AssessmentVersionFactory(assessment=assessment, number=1)
    NoteFactory(person=person, author=colleague.user, visibility="care_team", body=TEAM_NOTE)
    NoteFactory(person=person, author=colleague.user, visibility="organisation", body=SECRET_ORG_NOTE)
    NoteFactory(person=person, author=colleague.user, visibility="author", body=SECRET_PRIVATE_NOTE)
    request = RequestFactory(organisation=alpha, person=person, notes=SECRET_REQUEST)
    consent = ConsentFactory(person=person)
    document = Document(
        person=person,
        organisation=alpha,
        kind="other",
        title=DOCUMENT_TITLE,
        original_name="cr.pdf",
        content_type="application/pdf",
        size=9,
        retain_until="2099-01-01",
        uploaded_by=colleague.user,
    )
    document.file.save("cr.pdf", SimpleUploadedFile("cr.pdf", b"%PDF-1.4\n"), save=False)
    document.save()
    return File(
        person=person,
        alpha=alpha,
        plan=plan,
        assessment=assessment,
        document=document,
        request=request,
        consent=consent,
    )


def _urls(f: File) -> dict[str, str]:
    p = f.person.pk
    return {
        "detail": reverse("people:detail", args=[p]),
        "edit": reverse("people:edit", args=[p]),
        "export": reverse("people:export", args=[p, "json"]),
        "timeline": reverse("casework:timeline", args=[p]),
        "care_team": reverse("casework:care_team", args=[p]),
        "contact": reverse("casework:contact_create", args=[p]),
        "assessments": reverse("casework:assessment_list", args=[p]),
        "assessment": reverse("casework:assessment_detail", args=[p, f.assessment.pk]),
        "plans": reverse("casework:plan_list", args=[p]),
        "plan": reverse("casework:plan_detail", args=[p, f.plan.pk]),
        "plan_print": reverse("casework:plan_pdf", args=[p, f.plan.pk, "professionnels"]) + "?format=html",
        "notes": reverse("casework:note_list", args=[p]),
        "documents": reverse("casework:document_list", args=[p]),
        "document": reverse("casework:document_download", args=[p, f.document.pk]),
        "assessment_version": reverse("casework:assessment_version", args=[p, f.assessment.pk, 1]),
        "assessment_compare": reverse("casework:assessment_compare", args=[p, f.assessment.pk]),
        "assessment_create": reverse("casework:assessment_create", args=[p, "aggir"]),
        "assessment_edit": reverse("casework:assessment_edit", args=[p, f.assessment.pk]),
        "plan_create": reverse("casework:plan_create", args=[p]),
        "plan_edit": reverse("casework:plan_edit", args=[p, f.plan.pk]),
        "plan_action": reverse("casework:plan_action_create", args=[p, f.plan.pk]),
        "address": reverse("people:address_set", args=[p]),
        "phone": reverse("people:phone_add", args=[p]),
        "relation": reverse("people:relation_create", args=[p]),
        "consent_create": reverse("people:consent_create", args=[p]),
        "consent_withdraw": reverse("people:consent_withdraw", args=[p, f.consent.pk]),
        "request": reverse("casework:request_detail", args=[f.request.pk]),
        "merge": reverse("people:merge", args=[p]),
    }


READ = frozenset(
    {
        "detail",
        "timeline",
        "care_team",
        "assessments",
        "assessment",
        "plans",
        "plan",
        "plan_print",
        "notes",
        "documents",
        "document",
        "assessment_version",
        "assessment_compare",
    }
)
# The responsible organisation's coordinators assess and plan.
ASSESS = frozenset({"assessment_create", "assessment_edit", "plan_create", "plan_edit", "plan_action"})
# Those who change the file's identity and entourage.
PEOPLE_FORMS = frozenset({"edit", "contact", "address", "phone", "relation", "consent_create", "consent_withdraw"})
EMERGENCY = frozenset({"detail", "care_team"})
NOTHING = frozenset()

# What never shows, whatever the path (but to the note's author): a colleague's private note.
ALWAYS_HIDDEN = (SECRET_PRIVATE_NOTE,)
# What another organisation's professional never sees: Alpha's own activity.
ALPHA_ACTIVITY = (SECRET_REQUEST, SECRET_ORG_NOTE)
# What the emergency set leaves out.
BEYOND_EMERGENCY = (FAR_RELATION, TEAM_NOTE, DOCUMENT_TITLE, SECRET_REQUEST, SECRET_ORG_NOTE)


def _own(role):
    def make(client, f):
        membership = MembershipFactory(organisation=f.alpha, role=role)
        login_verified(client, membership.user)

    return make


def _outsider(role=Role.COORDINATOR, *, consent=True, place=True, **member_state):
    """A professional of « Bêta », placed in the person's care team for Bêta."""

    def make(client, f):
        membership = MembershipFactory(organisation=OrganisationFactory(name="SSIAD Bêta"), role=role)
        if consent:
            ConsentFactory(person=f.person, scope=ConsentScope.SHARING, partner=membership.organisation)
        if place:
            CareTeamMember.objects.create(
                person=f.person,
                user=membership.user,
                organisation=membership.organisation,
                role="Infirmière",
                **member_state,
            )
        login_verified(client, membership.user)
        return membership

    return make


def _consent_withdrawn(client, f):
    membership = _outsider()(client, f)
    f.person.consents.filter(partner=membership.organisation).update(withdrawn_at=timezone.now())


def _membership_ended(client, f):
    membership = _outsider()(client, f)
    membership.is_active = False
    membership.save()


def _working_elsewhere(client, f):
    """In the care team for Bêta, but working now for Gamma, where the user is a volunteer."""
    membership = _outsider()(client, f)
    elsewhere = MembershipFactory(user=membership.user, role=Role.VOLUNTEER, organisation=OrganisationFactory())
    session = client.session
    session[SESSION_ORGANISATION_KEY] = elsewhere.organisation_id
    session.save()


def _break_glass(scope="minimal", *, expired=False):
    def make(client, f):
        membership = _outsider(consent=False, place=False)(client, f)
        now = timezone.now()
        BreakGlassAccess.objects.create(
            person=f.person,
            user=membership.user,
            organisation=membership.organisation,
            reason="Chute signalée par la voisine, la famille ne répond pas, le SAMU demande le traitement.",
            scope=scope,
            granted_at=now - datetime.timedelta(hours=5 if expired else 0),
            expires_at=now - datetime.timedelta(hours=1) if expired else now + datetime.timedelta(hours=4),
        )

    return make


def _password_only(client, f):
    membership = MembershipFactory(organisation=f.alpha, role=Role.COORDINATOR)
    client.force_login(membership.user, backend="maillage.core.auth_backends.EmailBackend")


OWN_READERS = READ | {"request"}
OWN_EDITORS = OWN_READERS | PEOPLE_FORMS
SCENARIOS = {
    # Own organisation × role.
    "own-reception": (_own(Role.RECEPTION_AGENT), OWN_EDITORS, ()),
    "own-coordinator": (_own(Role.COORDINATOR), OWN_EDITORS | ASSESS | {"export", "merge"}, ()),
    "own-register": (_own(Role.REGISTER_MANAGER), OWN_EDITORS | {"merge"}, ()),
    "own-director": (_own(Role.DIRECTOR), OWN_READERS, ()),
    "own-dpo": (_own(Role.DPO), OWN_READERS | {"export"}, ()),
    "own-volunteer": (_own(Role.VOLUNTEER), NOTHING, ()),
    "own-partner": (_own(Role.PARTNER), NOTHING, ()),
    "own-admin": (_own(Role.ADMIN), NOTHING, ()),
    # Care team of another organisation.
    "team-coordinator": (_outsider(), READ | {"contact"}, ALPHA_ACTIVITY),
    "team-director": (_outsider(Role.DIRECTOR), READ, ALPHA_ACTIVITY),
    "team-ended": (_outsider(removed_at=timezone.now()), NOTHING, ()),
    "team-without-consent": (_outsider(consent=False), NOTHING, ()),
    "team-consent-withdrawn": (_consent_withdrawn, NOTHING, ()),
    "team-membership-ended": (_membership_ended, NOTHING, ()),
    "team-volunteer": (_outsider(Role.VOLUNTEER), NOTHING, ()),
    "team-partner": (_outsider(Role.PARTNER), NOTHING, ()),
    "team-working-elsewhere": (_working_elsewhere, NOTHING, ()),
    # Break-glass.
    "break-glass-emergency": (_break_glass(), EMERGENCY, BEYOND_EMERGENCY),
    "break-glass-whole-file": (_break_glass("full"), READ | {"contact"}, ALPHA_ACTIVITY),
    "break-glass-expired": (_break_glass(expired=True), NOTHING, ()),
    # The password alone.
    "password-without-second-factor": (_password_only, NOTHING, ()),
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_every_person_page_opens_exactly_by_its_grant(client, file, scenario):
    login, opened, hidden = SCENARIOS[scenario]
    login(client, file)
    urls = _urls(file)
    wrong = []
    for name, url in urls.items():
        response = client.get(url)
        expected = 200 if name in opened else (302 if scenario == "password-without-second-factor" else 404)
        if response.status_code != expected:
            wrong.append(f"{name}: {response.status_code} au lieu de {expected}")
            continue
        if response.status_code != 200:
            if hasattr(response, "content"):
                assert NAME not in response.content.decode(), f"{name} refusé montre le nom de la personne"
            continue
        if name == "document":
            continue
        body = response.content.decode()
        for secret in (*ALWAYS_HIDDEN, *hidden):
            if secret in body:
                wrong.append(f"{name} montre « {secret} »")
    assert not wrong, f"{scenario} : " + " ; ".join(wrong)


@pytest.mark.parametrize("scenario", [s for s, (_, opened, _) in SCENARIOS.items() if opened])
def test_every_opening_is_logged_once_with_its_path(client, file, scenario):
    login, opened, _ = SCENARIOS[scenario]
    login(client, file)
    urls = _urls(file)
    for name in sorted(opened):
        before = AuditLogEntry.objects.filter(action=AuditLogEntry.Action.ACCESS).count()
        assert client.get(urls[name]).status_code == 200
        lines = list(AuditLogEntry.objects.filter(action=AuditLogEntry.Action.ACCESS).order_by("pk")[before:])
        assert len(lines) == 1, f"{name} : {len(lines)} lignes d'ouverture"
        (line,) = lines
        assert line.subject_person_id == file.person.pk, name
        expected_path = {"own": "organisation", "team": "care_team", "break": "break_glass"}[scenario.split("-")[0]]
        assert line.access_path == expected_path, name
        if expected_path == "break_glass":
            assert line.reason.startswith("Chute signalée"), name
        else:
            assert line.reason == "", name
