import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from maillage.core.enums import Role
from maillage.volunteers import charter
from maillage.volunteers.models import AvailabilitySlot, CallerProfile
from tests.core.factories import MembershipFactory, OrganisationFactory, UserFactory


class CallerProfileFactory(DjangoModelFactory):
    class Meta:
        model = CallerProfile

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    languages = factory.Faker("random_elements", elements=["en", "ar", "es", "pt", "br"], unique=True, length=1)

    class Params:
        signed = factory.Trait(charter_signed_at=factory.LazyFunction(timezone.now), charter_version=charter.VERSION)
        signed_old = factory.Trait(
            charter_signed_at=factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=400)),
            charter_version="2025-01",
        )


class AvailabilitySlotFactory(DjangoModelFactory):
    class Meta:
        model = AvailabilitySlot

    profile = factory.SubFactory(CallerProfileFactory)
    weekday = 0
    start = datetime.time(9)
    end = datetime.time(12)


def make_caller(*, organisation=None, role=Role.VOLUNTEER, signed=True, **profile_kwargs) -> CallerProfile:
    """A member of `organisation` with that role and a caller profile there (charter signed by default)."""
    membership = MembershipFactory(organisation=organisation or OrganisationFactory(), role=role)
    return CallerProfileFactory(
        user=membership.user, organisation=membership.organisation, signed=signed, **profile_kwargs
    )


def caller(organisation=None, role=Role.VOLUNTEER, **membership):
    """A member of `organisation` who may take calls: the membership, and a caller profile with the
    charter in force signed. Returns the user."""
    member = MembershipFactory(role=role, **({"organisation": organisation} if organisation else {}), **membership)
    CallerProfileFactory(user=member.user, organisation=member.organisation, signed=True)
    return member.user
