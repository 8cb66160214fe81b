"""Access rules of casework: requests, contacts, timeline, assessments, plans, notes, documents."""

from django.db.models import Q
from django.http import Http404

from maillage.core.access.base import Perm, active_memberships, has_perm, role_in  # noqa: F401
from maillage.core.access.grants import CARE_TEAM_ROLES, person_grant, valid_care_team_member
from maillage.core.access.people import can_change_person, can_view_person, get_person_for, persons_visible_to  # noqa: F401
from maillage.core.enums import Role
from maillage.core.models import Membership, Organisation, User
from maillage.people.models import Person

# --- Casework: requests, contacts and the person's timeline (casework/models/requests.py) ---------
# The requests an organisation receives are its activity: they are read by the roles that read
# files, and logged by the roles that change them. A request about a person needs that person's
# file to be open to the user (own organisation, care team or break-glass access).


def can_log_request(user: User, organisation: Organisation | None) -> bool:
    """Reception agents, coordinators and register managers log the requests their organisation receives."""
    return has_perm(user, organisation, Perm.CHANGE_PERSON)


def requests_visible_to(user: User, organisation: Organisation | None):
    """The requests received by `organisation` (anonymous ones included), when the user's role there
    reads files (reception, coordination, register, direction, data protection); nothing otherwise."""
    from maillage.casework.models import Request

    if not has_perm(user, organisation, Perm.VIEW_PERSON):
        return Request.objects.none()
    return Request.objects.filter(organisation=organisation)


def can_view_request(user: User, organisation: Organisation | None, request_obj) -> bool:
    """A request is read inside the organisation that received it, by the roles that read files."""
    if request_obj.organisation_id != getattr(organisation, "pk", None):
        return False
    return has_perm(user, organisation, Perm.VIEW_PERSON)


def get_request_for(user: User, organisation: Organisation | None, pk, action: str = "view"):
    """Fetch a request of `organisation` and authorise `action` ("view"); 404 for absent and forbidden alike."""
    from maillage.casework.models import Request

    allowed = {"view": can_view_request}[action]
    request_obj = Request.objects.select_related("person", "handled_by").filter(pk=pk).first()
    if request_obj is None or not allowed(user, organisation, request_obj):
        raise Http404("Demande introuvable.")
    return request_obj


def can_log_contact(user: User, organisation: Organisation | None, person: Person) -> bool:
    """A social role of the organisation (reception, coordination, register) logs a contact with a
    person whose file it may open."""
    if not has_perm(user, organisation, Perm.CHANGE_PERSON):
        return False
    return can_view_person(user, organisation, person)


def can_view_timeline(user: User, organisation: Organisation | None, person: Person) -> bool:
    """Whoever may open the person's file reads their timeline: the responsible organisation's
    social roles, the members of the person's care team, a break-glass access in force."""
    return can_view_person(user, organisation, person)


def can_view_requests(user: User, organisation: Organisation | None) -> bool:
    """The roles that read files (reception, coordination, register, direction, data protection)
    read the list of requests their organisation received, and its counts."""
    return has_perm(user, organisation, Perm.VIEW_PERSON)


# --- Casework: assessments, care plans, follow-up notes, tasks and documents ---------------------
# (casework/models/assessments.py, plans.py, followup.py). Reading follows the person's file
# (`can_view_person`); writing belongs to the coordinators of the organisation responsible for the
# person (CLIC: « un coordonnateur est chargé d'évaluer la situation, d'organiser et de mobiliser
# l'action des différents intervenants »); notes and documents are also written by the care team.

CASEWORK_WRITER_ROLES = frozenset({Role.COORDINATOR})


def can_assess_person(user: User, organisation: Organisation | None, person: Person) -> bool:
    """A coordinator of the organisation responsible for the person assesses them and writes,
    changes and reviews their care plan or life project."""
    if person.organisation_id != getattr(organisation, "pk", None):
        return False
    return role_in(user, organisation) in CASEWORK_WRITER_ROLES


def can_write_followup(user: User, organisation: Organisation | None, person: Person) -> bool:
    """Notes and documents: the responsible organisation's coordinators, and the members of the
    person's care team whose place opens the file (grants.valid_care_team_member: social role in
    the organisation they work for, consent to share in force)."""
    if can_assess_person(user, organisation, person):
        return True
    return valid_care_team_member(user, organisation, person) is not None


def get_assessable_person_for(user: User, organisation: Organisation | None, pk, action: str = "view") -> Person:
    """Fetch a person for casework: "view" (file readers), "assess" (coordinators of the
    responsible organisation) or "follow" (those plus the care team); 404 for absent and forbidden."""
    person = get_person_for(user, organisation, pk, "view")
    allowed = {
        "view": lambda *args: True,
        "assess": can_assess_person,
        "follow": can_write_followup,
    }[action]
    if not allowed(user, organisation, person):
        raise Http404("Personne introuvable.")
    return person


def notes_visible_to(user: User, organisation: Organisation | None, person: Person):
    """The person's notes the user may read: those the grant opens (grants.PersonGrant.notes)."""
    from maillage.casework.models import Note

    grant = person_grant(user, organisation, person)
    return grant.notes() if grant is not None else Note.objects.none()


def can_view_note(user: User, organisation: Organisation | None, note) -> bool:
    """True when the note is among those `notes_visible_to` gives."""
    return notes_visible_to(user, organisation, note.person).filter(pk=note.pk).exists()


def can_change_followup_task(user: User, organisation: Organisation | None, task) -> bool:
    """The task's assignee, or a coordinator of the organisation that set it, closes it."""
    if task.assignee_id == user.pk:
        return True
    return task.organisation_id == getattr(organisation, "pk", None) and role_in(user, organisation) in (
        CASEWORK_WRITER_ROLES
    )


# Who may be given a follow-up task on a file of the organisation: a colleague whose place there
# opens the file and accompanies people, as the grant decides it (grants.CARE_TEAM_ROLES: reception,
# coordination, register, direction). Not a volunteer (call sheets only), a partner (referrals only),
# an administrator (accounts) or the data-protection officer (watches, does not act); not a former
# member, nor a deactivated account or organisation.
TASK_ASSIGNEE_ROLES = CARE_TEAM_ROLES


def task_assignees_for(organisation: Organisation | None):
    """The colleagues of `organisation` a follow-up task may be given to (`TASK_ASSIGNEE_ROLES`)."""
    if organisation is None:
        return User.objects.none()
    memberships = Membership.objects.active().filter(organisation=organisation, role__in=TASK_ASSIGNEE_ROLES)
    return User.objects.filter(pk__in=memberships.values("user_id")).order_by("last_name", "first_name", "pk")


def can_be_given_task(user: User, organisation: Organisation | None) -> bool:
    """True when `user` is among `task_assignees_for(organisation)`."""
    return task_assignees_for(organisation).filter(pk=user.pk).exists()


def documents_visible_to(user: User, organisation: Organisation | None, person: Person):
    """A person's documents follow the file: those the grant opens (each download is logged)."""
    from maillage.casework.models import Document

    grant = person_grant(user, organisation, person)
    return grant.documents() if grant is not None else Document.objects.none()


def caseload_persons_for(user: User, organisation: Organisation | None):
    """The coordinator's caseload: persons they may open for whom they are the care team's active
    referent (for the organisation they work for), or whose file they created."""
    referent = Q(
        care_team__user=user,
        care_team__organisation=organisation,
        care_team__is_referent=True,
        care_team__removed_at__isnull=True,
    )
    return persons_visible_to(user, organisation).filter(referent | Q(created_by=user)).distinct()
