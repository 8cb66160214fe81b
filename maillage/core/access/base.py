"""The access policy: the one place that decides who may see or do what.

Default deny. A user acts *for an organisation*, through an active membership in it, with the
role of that membership. Every rule below names the role and the organisation; a user who is a
member of two organisations has, in each, only the rights of the role held there.

Per entity, a trio (house style): ``can_<verb>_<entity>(user, obj) -> bool``;
``<entities>_visible_to(user, …) -> QuerySet``; ``get_<entity>_for(user, pk, action)`` that fetches
and authorises in one call and answers 404 for both "absent" and "forbidden".
"""

from enum import StrEnum

from django.http import Http404

from maillage.core.enums import Role
from maillage.core.models import AuditLogEntry, Membership, MembershipInvitation, Organisation, User


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
    MERGE_PERSON = "merge_person"


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
    # Merging two files of the same person (and undoing it): those who know the situations and
    # keep the files in order — the coordinator, and the register manager whose registrations
    # (relatives, town-hall lists) produce most duplicates. Not the reception agent: a merge
    # joins two persons' histories, it needs the side-by-side comparison and someone accountable.
    Perm.MERGE_PERSON: frozenset({Role.COORDINATOR, Role.REGISTER_MANAGER}),
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


def is_verified_session(user: User) -> bool:
    """A session reaches nothing of an organisation before its second factor, whatever the
    memberships (django-otp sets `is_verified` on the request's user; outside a request — tasks,
    commands, services called by code — there is no session to verify)."""
    check = getattr(user, "is_verified", None)
    return check is None or bool(check())


def role_in(user: User, organisation: Organisation | None) -> Role | None:
    """The user's role in that organisation, or None when they are not an active member, or when
    the session has not passed its second factor (every permission derives from this role).

    Within a request, the memberships the middleware loaded are reused (one query per request,
    not one per check); elsewhere the database is asked."""
    if organisation is None or not user.is_authenticated or not user.is_active:
        return None
    if not is_verified_session(user):
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
    """Every account passes a second factor, whatever its memberships today: a membership or a
    care-team place can be given or ended at any moment, and a session opened with the password
    alone must never reach personal data through one of them (issue 10)."""
    return bool(user.is_authenticated)


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


def can_reset_second_factor(user: User, membership: Membership) -> bool:
    """The administrator resets the second factor of an *active* member of their organisation:
    an account invited, or a former member, belongs to its holder and to the organisations it
    works for, not to this one. Never one's own (a stolen session must not remove the factor)."""
    if membership.user_id == user.pk:
        return False
    if not membership.is_active:
        return False
    return can_manage_members(user, membership.organisation)


# --- Invitations (an organisation offers a role to an existing account) ---------------------------


def invitations_visible_to(user: User, organisation: Organisation):
    """The organisation's pending invitations, for those who see its members; nothing otherwise."""
    if not can_view_members(user, organisation):
        return MembershipInvitation.objects.none()
    return MembershipInvitation.objects.pending().filter(organisation=organisation).select_related("user")


def get_invitation_for(user: User, organisation: Organisation, pk) -> MembershipInvitation:
    """Fetch one pending invitation of `organisation` for its administrator (to withdraw it); 404
    otherwise."""
    if not can_manage_members(user, organisation):
        raise Http404("Invitation introuvable.")
    invitation = invitations_visible_to(user, organisation).filter(pk=pk).first()
    if invitation is None:
        raise Http404("Invitation introuvable.")
    return invitation


def invitations_received_by(user: User):
    """The pending invitations addressed to the user's own account, in active organisations: only
    the account's holder sees or answers them."""
    if not user.is_authenticated:
        return MembershipInvitation.objects.none()
    return (
        MembershipInvitation.objects.pending()
        .filter(user=user, organisation__is_active=True)
        .select_related("organisation", "invited_by")
    )


def get_received_invitation_for(user: User, pk) -> MembershipInvitation:
    """Fetch one pending invitation addressed to the user; 404 for any other (absent, someone
    else's, answered, withdrawn or expired)."""
    invitation = invitations_received_by(user).filter(pk=pk).first()
    if invitation is None:
        raise Http404("Invitation introuvable.")
    return invitation


# --- Audit trail ---------------------------------------------------------------------------------


def can_view_audit_log(user: User, organisation: Organisation) -> bool:
    """Only the organisation's data-protection officer reads its audit trail."""
    return has_perm(user, organisation, Perm.VIEW_AUDIT_LOG)


def audit_entries_visible_to(user: User, organisation: Organisation):
    """For the organisation's DPO: the lines written while someone worked for `organisation`, and
    the lines about its persons' files written by anyone else (care-team partners, break-glass)."""
    if not can_view_audit_log(user, organisation):
        return AuditLogEntry.objects.none()
    from django.apps import apps
    from django.db.models import Q

    # Merged files too (a tombstone's lines stay the DPO's while the merge can be undone).
    own_persons = apps.get_model("people", "Person").all_objects.filter(organisation=organisation).values("pk")
    return AuditLogEntry.objects.filter(
        Q(organisation=organisation) | Q(subject_person_id__in=own_persons)
    ).select_related("actor", "content_type")
