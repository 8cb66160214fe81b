"""The access policy: the one place that decides who may see or do what.

Default deny. A user acts *for an organisation*, through an active membership in it, with the
role of that membership. Every rule below names the role and the organisation; a user who is a
member of two organisations has, in each, only the rights of the role held there.

Per entity, a trio (house style): ``can_<verb>_<entity>(user, obj) -> bool``;
``<entities>_visible_to(user, …) -> QuerySet``; ``get_<entity>_for(user, pk, action)`` that fetches
and authorises in one call and answers 404 for both "absent" and "forbidden".
"""

from enum import StrEnum

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from maillage.core.enums import Role
from maillage.core.models import AuditLogEntry, Membership, Organisation, User
from maillage.directory.enums import ServiceStatus
from maillage.directory.models import Service
from maillage.people.models import Person


class Perm(StrEnum):
    VIEW_DASHBOARD = "view_dashboard"
    VIEW_ORGANISATION = "view_organisation"
    CHANGE_ORGANISATION = "change_organisation"
    VIEW_MEMBERS = "view_members"
    MANAGE_MEMBERS = "manage_members"
    VIEW_AUDIT_LOG = "view_audit_log"
    CHANGE_SERVICE = "change_service"
    VIEW_PERSON = "view_person"
    CHANGE_PERSON = "change_person"
    EXPORT_PERSON = "export_person"
    BREAK_GLASS = "break_glass"


_EVERY_ROLE = frozenset(Role)

# Which role holds which permission inside its own organisation.
ROLE_PERMISSIONS: dict[Perm, frozenset[Role]] = {
    Perm.VIEW_DASHBOARD: _EVERY_ROLE,
    Perm.VIEW_ORGANISATION: _EVERY_ROLE,
    Perm.CHANGE_ORGANISATION: frozenset({Role.ADMIN}),
    # Colleagues' names and roles: those who run the organisation or watch over its data.
    Perm.VIEW_MEMBERS: frozenset({Role.ADMIN, Role.DIRECTOR, Role.DPO}),
    Perm.MANAGE_MEMBERS: frozenset({Role.ADMIN}),
    # The audit trail is the data-protection officer's (architecture.md, rule 2).
    Perm.VIEW_AUDIT_LOG: frozenset({Role.DPO}),
    # Those who keep their own organisation's directory entries up to date.
    Perm.CHANGE_SERVICE: frozenset({Role.ADMIN, Role.COORDINATOR, Role.RECEPTION_AGENT, Role.PARTNER}),
    # Persons' files: the social roles of the organisation. A volunteer sees only call sheets, a
    # partner only the referrals addressed to them, the administrator runs accounts, not files.
    Perm.VIEW_PERSON: frozenset(
        {Role.RECEPTION_AGENT, Role.COORDINATOR, Role.REGISTER_MANAGER, Role.DIRECTOR, Role.DPO}
    ),
    Perm.CHANGE_PERSON: frozenset({Role.RECEPTION_AGENT, Role.COORDINATOR, Role.REGISTER_MANAGER}),
    # The person's right of access (RGPD art. 15): the coordinator prepares it, the DPO answers it.
    Perm.EXPORT_PERSON: frozenset({Role.COORDINATOR, Role.DPO}),
    # An emergency opening of a file one has no right to, with a reason, for a few hours.
    Perm.BREAK_GLASS: frozenset({Role.RECEPTION_AGENT, Role.COORDINATOR, Role.REGISTER_MANAGER, Role.DIRECTOR}),
}

# Roles whose work touches personal data: their members must pass a second factor (ANSSI, CNIL).
# Every role does today (a volunteer reads call sheets, a partner receives referrals, a director
# reads files); a role added later must be placed here on purpose.
ROLES_HANDLING_PERSONAL_DATA: frozenset[Role] = _EVERY_ROLE


def active_memberships(user: User):
    """The user's memberships that grant anything: active, in an active organisation."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.active().filter(user=user).select_related("organisation")


def role_in(user: User, organisation: Organisation | None) -> Role | None:
    """The user's role in that organisation, or None when they are not an active member.

    Within a request, the memberships the middleware loaded are reused (one query per request,
    not one per check); elsewhere the database is asked."""
    if organisation is None or not user.is_authenticated:
        return None
    loaded = getattr(user, "_maillage_active_memberships", None)
    if loaded is not None:
        membership = next((m for m in loaded if m.organisation_id == organisation.pk), None)
    else:
        membership = active_memberships(user).filter(organisation=organisation).first()
    return Role(membership.role) if membership else None


def has_perm(user: User, organisation: Organisation | None, perm: Perm) -> bool:
    """True when the user's role in that organisation grants the permission."""
    role = role_in(user, organisation)
    if role is None:
        return False
    return role in ROLE_PERMISSIONS[perm]


def requires_second_factor(user: User) -> bool:
    """A technical administrator, or a member whose role handles personal data, needs TOTP."""
    if not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    roles = set(active_memberships(user).values_list("role", flat=True))
    return any(Role(role) in ROLES_HANDLING_PERSONAL_DATA for role in roles)


# --- Organisations -------------------------------------------------------------------------------


def organisations_visible_to(user: User):
    """Organisations whose internal page the user may open: those they are an active member of."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.active().filter(memberships__user=user, memberships__is_active=True).distinct()


def can_view_organisation(user: User, organisation: Organisation) -> bool:
    """Any active member may read their organisation's internal page."""
    return has_perm(user, organisation, Perm.VIEW_ORGANISATION)


def can_change_organisation(user: User, organisation: Organisation) -> bool:
    """Only the organisation's administrator edits its identity, contacts and communes served."""
    return has_perm(user, organisation, Perm.CHANGE_ORGANISATION)


def get_organisation_for(user: User, pk, action: str = "view") -> Organisation:
    """Fetch an organisation and authorise `action` ("view" or "change"); 404 otherwise."""
    organisation = organisations_visible_to(user).filter(pk=pk).first()
    if organisation is None:
        raise Http404("Structure introuvable.")
    allowed = {"view": can_view_organisation, "change": can_change_organisation}[action]
    if not allowed(user, organisation):
        raise Http404("Structure introuvable.")
    return organisation


# --- Memberships (colleagues) --------------------------------------------------------------------


def can_view_members(user: User, organisation: Organisation) -> bool:
    """Administrator, director and data-protection officer see who works in their organisation."""
    return has_perm(user, organisation, Perm.VIEW_MEMBERS)


def can_manage_members(user: User, organisation: Organisation) -> bool:
    """Only the administrator adds members, changes roles and deactivates memberships."""
    return has_perm(user, organisation, Perm.MANAGE_MEMBERS)


def memberships_visible_to(user: User, organisation: Organisation):
    """The organisation's memberships, if the user may see its members; nothing otherwise."""
    if not can_view_members(user, organisation):
        return Membership.objects.none()
    return Membership.objects.filter(organisation=organisation).select_related("user", "organisation")


def get_membership_for(user: User, organisation: Organisation, pk, action: str = "view") -> Membership:
    """Fetch one membership of `organisation` and authorise `action` ("view" or "manage"); else 404."""
    allowed = {"view": can_view_members, "manage": can_manage_members}[action]
    if not allowed(user, organisation):
        raise Http404("Membre introuvable.")
    membership = memberships_visible_to(user, organisation).filter(pk=pk).first()
    if membership is None:
        raise Http404("Membre introuvable.")
    return membership


# --- Audit trail ---------------------------------------------------------------------------------


def can_view_audit_log(user: User, organisation: Organisation) -> bool:
    """Only the organisation's data-protection officer reads its audit trail."""
    return has_perm(user, organisation, Perm.VIEW_AUDIT_LOG)


def audit_entries_visible_to(user: User, organisation: Organisation):
    """Audit lines written while someone worked for `organisation`, if the user is its DPO."""
    if not can_view_audit_log(user, organisation):
        return AuditLogEntry.objects.none()
    return AuditLogEntry.objects.filter(organisation=organisation).select_related("actor", "content_type")


# --- Directory services --------------------------------------------------------------------------


def services_visible_to(user: User):
    """Published services, for everyone (anonymous included); drafts, for members of their organisation."""
    published = Q(status=ServiceStatus.PUBLISHED)
    if not user.is_authenticated:
        return Service.objects.filter(published)
    own = Q(organisation_id__in=active_memberships(user).values("organisation_id"))
    return Service.objects.filter(published | own)


def services_public():
    """What the public directory shows: published services of active organisations."""
    return Service.objects.published().filter(organisation__is_active=True)


def can_view_service(user: User, service: Service) -> bool:
    """A published service is readable by everyone; a draft, only by active members of its organisation."""
    if service.status == ServiceStatus.PUBLISHED:
        return True
    return role_in(user, service.organisation) is not None


def can_create_service(user: User, organisation: Organisation | None) -> bool:
    """An active member of the organisation, with an editor role, adds services to it."""
    return has_perm(user, organisation, Perm.CHANGE_SERVICE)


def can_change_service(user: User, service: Service) -> bool:
    """An active member of the service's organisation, with an editor role (administrator,
    coordinator, reception agent, partner), edits and verifies that organisation's services."""
    return has_perm(user, service.organisation, Perm.CHANGE_SERVICE)


def get_service_for(user: User, pk, action: str = "view") -> Service:
    """Fetch a service and authorise `action` ("view" or "change"); 404 for absent and forbidden alike."""
    allowed = {"view": can_view_service, "change": can_change_service}[action]
    service = Service.objects.select_related("organisation").filter(pk=pk).first()
    if service is None or not allowed(user, service):
        raise Http404("Service introuvable.")
    return service


# --- Persons -------------------------------------------------------------------------------------


def _shared_with(user: User):
    """Persons shared with the user personally: active care-team membership or break-glass access."""
    return Q(care_team__user=user, care_team__removed_at__isnull=True) | Q(
        break_glass_accesses__user=user, break_glass_accesses__expires_at__gt=timezone.now()
    )


def persons_visible_to(user: User, organisation: Organisation | None):
    """Persons whose file the user may open while working for `organisation`: the organisation's
    own persons when the user's role there reads files; persons whose care team includes the user;
    persons opened by the user's break-glass access still in force."""
    if not user.is_authenticated:
        return Person.objects.none()
    condition = _shared_with(user)
    if has_perm(user, organisation, Perm.VIEW_PERSON):
        condition |= Q(organisation=organisation)
    return Person.objects.filter(pk__in=Person.objects.filter(condition).values("pk"))


def can_view_person(user: User, organisation: Organisation | None, person: Person) -> bool:
    """The person belongs to the organisation and the user's role there reads files; or the user is
    in the person's care team; or the user holds a break-glass access in force."""
    if person.organisation_id == getattr(organisation, "pk", None) and has_perm(user, organisation, Perm.VIEW_PERSON):
        return True
    return Person.objects.filter(pk=person.pk).filter(_shared_with(user)).exists()


def can_change_person(user: User, organisation: Organisation | None, person: Person) -> bool:
    """Only the organisation responsible for the record changes it, through a social role."""
    if person.organisation_id != getattr(organisation, "pk", None):
        return False
    return has_perm(user, organisation, Perm.CHANGE_PERSON)


def can_create_person(user: User, organisation: Organisation | None) -> bool:
    """Reception agents, coordinators and register managers create persons for their organisation."""
    return has_perm(user, organisation, Perm.CHANGE_PERSON)


def can_export_person(user: User, organisation: Organisation | None, person: Person) -> bool:
    """The responsible organisation's coordinator or DPO exports everything held (right of access)."""
    if person.organisation_id != getattr(organisation, "pk", None):
        return False
    return has_perm(user, organisation, Perm.EXPORT_PERSON)


def can_break_glass(user: User, organisation: Organisation | None) -> bool:
    """Social roles may ask for an emergency access to a file of another organisation."""
    return has_perm(user, organisation, Perm.BREAK_GLASS)


def get_person_for(user: User, organisation: Organisation | None, pk, action: str = "view") -> Person:
    """Fetch a person and authorise `action` ("view", "change", "export"); 404 for absent and
    forbidden alike."""
    person = Person.objects.select_related("organisation").filter(pk=pk).first()
    allowed = {"view": can_view_person, "change": can_change_person, "export": can_export_person}[action]
    if person is None or not allowed(user, organisation, person):
        raise Http404("Personne introuvable.")
    return person


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


def _is_in_care_team(user: User, person: Person) -> bool:
    return person.care_team.filter(user=user, removed_at__isnull=True).exists()


def can_assess_person(user: User, organisation: Organisation | None, person: Person) -> bool:
    """A coordinator of the organisation responsible for the person assesses them and writes,
    changes and reviews their care plan or life project."""
    if person.organisation_id != getattr(organisation, "pk", None):
        return False
    return role_in(user, organisation) in CASEWORK_WRITER_ROLES


def can_write_followup(user: User, organisation: Organisation | None, person: Person) -> bool:
    """Notes and documents: the responsible organisation's coordinators, and the members of the
    person's care team (other professionals following the plan)."""
    if can_assess_person(user, organisation, person):
        return True
    return role_in(user, organisation) is not None and _is_in_care_team(user, person)


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
    """The person's notes the user may read, once the user may open the file:
    - "author only": the author;
    - "my organisation": members of the note's organisation whose role there reads files, working
      for it;
    - "care team": the above, and the members of the person's care team."""
    from maillage.casework.models import Note

    if not user.is_authenticated or not can_view_person(user, organisation, person):
        return Note.objects.none()
    own_organisation = has_perm(user, organisation, Perm.VIEW_PERSON)
    condition = Q(author=user)
    if own_organisation:
        condition |= Q(visibility="organisation", organisation=organisation)
        condition |= Q(visibility="care_team", organisation=organisation)
    if _is_in_care_team(user, person):
        condition |= Q(visibility="care_team")
    return Note.objects.filter(person=person).filter(condition)


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


def documents_visible_to(user: User, organisation: Organisation | None, person: Person):
    """A person's documents follow the file: whoever may open the file lists and downloads them
    (each download is logged)."""
    from maillage.casework.models import Document

    if not user.is_authenticated or not can_view_person(user, organisation, person):
        return Document.objects.none()
    return Document.objects.filter(person=person)


def caseload_persons_for(user: User, organisation: Organisation | None):
    """The coordinator's caseload: persons they may open for whom they are the care team's active
    referent, or whose file they created."""
    referent = Q(care_team__user=user, care_team__is_referent=True, care_team__removed_at__isnull=True)
    return persons_visible_to(user, organisation).filter(referent | Q(created_by=user)).distinct()


# --- Directory import and export (maillage.directory.interop) ------------------------------------


def can_import_directory(user: User, organisation: Organisation | None) -> bool:
    """Those who keep the organisation's directory entries (CHANGE_SERVICE) import files into them,
    export them, and follow their imports."""
    return has_perm(user, organisation, Perm.CHANGE_SERVICE)


def import_jobs_visible_to(user: User, organisation: Organisation | None):
    """The imports of `organisation`, if the user may import into its directory entries; none otherwise."""
    from maillage.directory.models import ImportJob

    if not can_import_directory(user, organisation):
        return ImportJob.objects.none()
    return ImportJob.objects.filter(organisation=organisation).select_related("created_by")


def get_import_job_for(user: User, organisation: Organisation | None, pk) -> "ImportJob":  # noqa: F821
    """Fetch one import of the current organisation; 404 for absent and for another organisation's."""
    job = import_jobs_visible_to(user, organisation).filter(pk=pk).first()
    if job is None:
        raise Http404("Import introuvable.")
    return job
