"""Access rules of the callers of call campaigns (`volunteers`: profiles, availability, charter).

Who calls the persons of the register is the register manager's decision and responsibility (guide
VISA: the commune organises the calls and answers for what callers see). So:

* a member may be a **caller** in an organisation when their role there is volunteer, or one of the
  agents who may take calls in a crisis (register manager, reception agent, coordinator);
* they **take calls** only with an active caller profile there and the charter *in force* signed;
* the callers' list is kept by the **register manager** alone. Not the administrator: they run the
  accounts and roles (making someone a volunteer), not who hears the persons of the register.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.http import Http404

from maillage.core.access.base import role_in
from maillage.core.enums import Role
from maillage.core.models import Organisation, User
from maillage.volunteers.models import AvailabilitySlot, CallerProfile

__all__ = [
    "CALLER_MANAGER_ROLES",
    "CALLER_ROLES",
    "can_be_caller",
    "can_manage_callers",
    "can_take_calls",
    "caller_checks_once",
    "caller_profiles_visible_to",
    "get_caller_profile_for",
    "get_own_slot_for",
    "own_caller_profile",
]

#: Roles whose members may be callers: the volunteers, and the agents who may take calls in a crisis.
CALLER_ROLES: frozenset[Role] = frozenset(
    {Role.VOLUNTEER, Role.REGISTER_MANAGER, Role.RECEPTION_AGENT, Role.COORDINATOR}
)
#: Roles who keep the callers' list.
CALLER_MANAGER_ROLES: frozenset[Role] = frozenset({Role.REGISTER_MANAGER})


def can_be_caller(user: User, organisation: Organisation | None) -> bool:
    """An active member whose role there may take calls (volunteer, register manager, reception
    agent, coordinator): they read the charter and keep their own availability and languages."""
    return role_in(user, organisation) in CALLER_ROLES


def can_take_calls(user: User, organisation: Organisation | None) -> bool:
    """May be given a call of `organisation` now: an active membership there with a caller role,
    an active caller profile there, and the charter in force signed (an older version does not count:
    a new version is signed again before the next call)."""
    answers = _CALLER_CHECKS.get()
    memo_key = (getattr(user, "pk", None), getattr(organisation, "pk", None))
    if answers is not None and memo_key in answers:
        return answers[memo_key]
    answer = _can_take_calls(user, organisation)
    if answers is not None:
        answers[memo_key] = answer
    return answer


def _can_take_calls(user: User, organisation: Organisation | None) -> bool:
    if not can_be_caller(user, organisation):
        return False
    profile = CallerProfile.objects.filter(user=user, organisation=organisation, is_active=True).first()
    if profile is None:
        return False
    return profile.has_signed_current_charter


_CALLER_CHECKS: ContextVar[dict | None] = ContextVar("maillage_caller_checks", default=None)


@contextmanager
def caller_checks_once():
    """Within it — one request of the callers' API — `can_take_calls` reads the caller's profile once
    per user and organisation, however many rules ask (the campaign's lookup, `next_call`, the
    call's grant asked it three times). Each request starts with no answer: a charter withdrawn
    counts from the next request. Outside it every call reads again."""
    token = _CALLER_CHECKS.set({})
    try:
        yield
    finally:
        _CALLER_CHECKS.reset(token)


def can_manage_callers(user: User, organisation: Organisation | None) -> bool:
    """The register manager keeps the organisation's callers' list: adds a member, takes one off."""
    return role_in(user, organisation) in CALLER_MANAGER_ROLES


def caller_profiles_visible_to(user: User, organisation: Organisation | None):
    """The organisation's caller profiles (active or not), for its register manager; nothing otherwise."""
    if not can_manage_callers(user, organisation):
        return CallerProfile.objects.none()
    return CallerProfile.objects.filter(organisation=organisation)


def get_caller_profile_for(user: User, organisation: Organisation | None, pk) -> CallerProfile:
    """Fetch one caller profile of `organisation` for its register manager; 404 for absent and
    forbidden alike (another organisation's profile is absent)."""
    profile = caller_profiles_visible_to(user, organisation).filter(pk=pk).select_related("user").first()
    if profile is None:
        raise Http404("Appelant·e introuvable.")
    return profile


def own_caller_profile(user: User, organisation: Organisation | None) -> CallerProfile | None:
    """The user's own caller profile in `organisation` (active or not), when they may be a caller there."""
    if not can_be_caller(user, organisation):
        return None
    return CallerProfile.objects.filter(user=user, organisation=organisation).first()


def get_own_slot_for(user: User, organisation: Organisation | None, pk) -> AvailabilitySlot:
    """One of the user's own availability slots in `organisation`; 404 for anyone else's."""
    if not can_be_caller(user, organisation):
        raise Http404("Créneau introuvable.")
    slot = AvailabilitySlot.objects.filter(pk=pk, profile__user=user, profile__organisation=organisation).first()
    if slot is None:
        raise Http404("Créneau introuvable.")
    return slot
