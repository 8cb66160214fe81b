"""Access rules of persons' files: the responsible organisation, the care team, break-glass."""

from django.db.models import Q
from django.http import Http404

from maillage.core.access.base import Perm, active_memberships, has_perm, is_verified_session, role_in  # noqa: F401
from maillage.core.access.grants import person_grant, shared_person_ids
from maillage.core.models import Organisation, User
from maillage.people.models import Person

# --- Persons -------------------------------------------------------------------------------------


def persons_visible_to(user: User, organisation: Organisation | None):
    """Persons whose file the user may open while working for `organisation`, by the paths of
    `grants.person_grant`: the organisation's own persons when the user's role there reads files;
    persons whose care team holds the user validly for that organisation; persons opened by the
    user's break-glass access in force for it."""
    if not user.is_authenticated or organisation is None or not is_verified_session(user):
        return Person.objects.none()
    condition = Q(pk__in=shared_person_ids(user, organisation))
    if has_perm(user, organisation, Perm.VIEW_PERSON):
        condition |= Q(organisation=organisation)
    return Person.objects.filter(condition)


def can_view_person(user: User, organisation: Organisation | None, person: Person) -> bool:
    """True when a grant opens the person's file to the user (grants.person_grant)."""
    return person_grant(user, organisation, person) is not None


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
    forbidden alike (and for a `pk` that is no number: it may come from a query string)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("Personne introuvable.") from None
    person = Person.objects.select_related("organisation").filter(pk=pk).first()
    allowed = {"view": can_view_person, "change": can_change_person, "export": can_export_person}[action]
    if person is None or not allowed(user, organisation, person):
        raise Http404("Personne introuvable.")
    return person
