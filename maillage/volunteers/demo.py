"""The demo's callers: the volunteer account (charter signed, two slots, a language) and the register
manager (a profile too, charter signed, no slot). Idempotent: a second run changes nothing, and what a
person changed by hand in the demo (a slot removed, a language added) is left as it is."""

import datetime

from django.db import transaction
from django.utils import timezone

from maillage.core.models import Organisation, User
from maillage.volunteers import charter
from maillage.volunteers.models import AvailabilitySlot, CallerProfile

DEMO_SLOTS = {
    "volunteer": ((1, datetime.time(9), datetime.time(12)), (3, datetime.time(14), datetime.time(17, 30))),
    "register_manager": (),
}
DEMO_LANGUAGES = {"volunteer": ["en"], "register_manager": ["es"]}


def _profile(user: User, organisation: Organisation, kind: str) -> CallerProfile:
    profile, created = CallerProfile.objects.get_or_create(
        user=user, organisation=organisation, defaults={"languages": DEMO_LANGUAGES[kind]}
    )
    if profile.charter_signed_at is None:
        profile.charter_signed_at = timezone.now()
        profile.charter_version = charter.VERSION
        profile.full_clean()
        profile.save()
    if created:
        for weekday, start, end in DEMO_SLOTS[kind]:
            slot = AvailabilitySlot(profile=profile, weekday=weekday, start=start, end=end)
            slot.full_clean()
            slot.save()
    return profile


@transaction.atomic
def seed_callers(*, organisation: Organisation, volunteer: User, register_manager: User) -> list[CallerProfile]:
    return [
        _profile(volunteer, organisation, "volunteer"),
        _profile(register_manager, organisation, "register_manager"),
    ]
