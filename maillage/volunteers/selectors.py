"""Reads about callers, for the register's dispatch of calls and for the pages of this app."""

import datetime
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, QuerySet

from maillage.core.access import CALLER_ROLES
from maillage.core.models import Membership, Organisation
from maillage.volunteers import charter
from maillage.volunteers.models import CallerProfile

#: Slots are weekly hours of the commune's clock.
LOCAL_TIMEZONE = ZoneInfo("Europe/Paris")


def callers_for(organisation: Organisation) -> QuerySet[CallerProfile]:
    """The callers `organisation` may give calls to: active profiles of active members whose role
    there may take calls, with the charter in force signed — the same rule as
    `access.can_take_calls`, for every caller at once. Users, languages and slots come with them
    (`profile.slots.all()` asks nothing more), for dispatching a whole campaign in a few queries."""
    caller_membership = Membership.objects.active().filter(
        user=OuterRef("user"), organisation=organisation, role__in=[role.value for role in CALLER_ROLES]
    )
    return (
        CallerProfile.objects.filter(
            organisation=organisation,
            organisation__is_active=True,
            is_active=True,
            user__is_active=True,
            charter_signed_at__isnull=False,
            charter_version=charter.VERSION,
        )
        .filter(Exists(caller_membership))
        .select_related("user")
        .prefetch_related("slots")
    )


def is_available_at(profile: CallerProfile, when: datetime.datetime) -> bool:
    """Whether the caller said they are available at `when` (an aware datetime, read on the clock of
    Europe/Paris): inside one of their weekly slots, start included, end excluded. A caller with no
    slot has set no limit and is available at any time (decision « Appelants » in docs/decisions.md):
    calls are taken when the caller asks for the next one, slots only help choose among callers."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("is_available_at attend une date et heure avec fuseau horaire (aware).")
    slots = list(profile.slots.all())
    if not slots:
        return True
    local = when.astimezone(LOCAL_TIMEZONE)
    moment = local.time().replace(tzinfo=None)
    return any(slot.weekday == local.weekday() and slot.start <= moment < slot.end for slot in slots)


def caller_list(*, organisation: Organisation) -> QuerySet[CallerProfile]:
    """Every caller profile of the organisation (active or not) with their account and slots, for the
    register manager's list (scoped by `access.caller_profiles_visible_to` in the view)."""
    return CallerProfile.objects.filter(organisation=organisation).select_related("user").prefetch_related("slots")


def members_who_may_call(*, organisation: Organisation):
    """Active memberships of the organisation with a caller role and no active caller profile: those
    the register manager may add to the callers' list."""
    active_profile = CallerProfile.objects.filter(user=OuterRef("user"), organisation=organisation, is_active=True)
    return (
        Membership.objects.active()
        .filter(organisation=organisation, role__in=[role.value for role in CALLER_ROLES])
        .exclude(Exists(active_profile))
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )
