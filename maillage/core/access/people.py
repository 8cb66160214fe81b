"""Access rules of persons' files: the responsible organisation, the care team, break-glass."""

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from maillage.core.access.base import Perm, active_memberships, has_perm, role_in  # noqa: F401
from maillage.core.models import Organisation, User
from maillage.people.models import Person

# --- Persons -------------------------------------------------------------------------------------


def _shared_ids(user: User) -> list[int]:
    """The persons shared with the user personally: active care-team membership or break-glass
    access in force. A short list, read at once: the planner then combines "the organisation's
    persons" (an index) with "these few persons" (the primary key) instead of scanning every person."""
    from maillage.casework.models import BreakGlassAccess, CareTeamMember

    in_team = CareTeamMember.objects.filter(user=user, removed_at__isnull=True).values_list("person_id", flat=True)
    opened = BreakGlassAccess.objects.filter(user=user, expires_at__gt=timezone.now()).values_list(
        "person_id", flat=True
    )
    return sorted(set(in_team) | set(opened))


def persons_visible_to(user: User, organisation: Organisation | None):
    """Persons whose file the user may open while working for `organisation`: the organisation's
    own persons when the user's role there reads files; persons whose care team includes the user;
    persons opened by the user's break-glass access still in force."""
    if not user.is_authenticated:
        return Person.objects.none()
    condition = Q(pk__in=_shared_ids(user))
    if has_perm(user, organisation, Perm.VIEW_PERSON):
        condition |= Q(organisation=organisation)
    return Person.objects.filter(condition)


def can_view_person(user: User, organisation: Organisation | None, person: Person) -> bool:
    """The person belongs to the organisation and the user's role there reads files; or the user is
    in the person's care team; or the user holds a break-glass access in force."""
    if person.organisation_id == getattr(organisation, "pk", None) and has_perm(user, organisation, Perm.VIEW_PERSON):
        return True
    return person.pk in _shared_ids(user)


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


def can_merge_person(user: User, organisation: Organisation | None, person: Person) -> bool:
    """The responsible organisation's coordinator or register manager merges a duplicate file into
    this one, and undoes a merge for a while (people.services.person_merge, person_merge_undo)."""
    if person.organisation_id != getattr(organisation, "pk", None):
        return False
    return has_perm(user, organisation, Perm.MERGE_PERSON)


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
