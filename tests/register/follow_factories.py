"""Factories of the register for the orientation and sponsorship tests (helper « follow »)."""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from maillage.core.enums import Role
from maillage.register.enums import (
    CallPurpose,
    CallStatus,
    CampaignStatus,
    CrisisKind,
    EntrySource,
    EntryStatus,
    LegalCategory,
)
from maillage.register.models import Call, CallCampaign, Crisis, RegisterEntry, Sponsorship
from tests.core.factories import MembershipFactory, OrganisationFactory
from tests.people.factories import PersonAddressFactory, PersonFactory
from tests.volunteers.factories import CallerProfileFactory, caller


class RegisterEntryFactory(DjangoModelFactory):
    class Meta:
        model = RegisterEntry
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    person = factory.LazyAttribute(lambda o: PersonFactory(organisation=o.organisation))
    status = EntryStatus.ACTIVE
    source = EntrySource.SELF
    legal_category = LegalCategory.AGED_65
    activated_on = factory.LazyFunction(timezone.localdate)

    @factory.post_generation
    def address(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            PersonAddressFactory(person=obj.person, **({"commune": extracted} if extracted else {}))


class CrisisFactory(DjangoModelFactory):
    class Meta:
        model = Crisis

    organisation = factory.SubFactory(OrganisationFactory)
    kind = CrisisKind.HEATWAVE
    title = "Canicule de test"


class CampaignFactory(DjangoModelFactory):
    class Meta:
        model = CallCampaign

    organisation = factory.SubFactory(OrganisationFactory)
    title = "Campagne de test"
    purpose = CallPurpose.EVALUATION
    status = CampaignStatus.OPEN
    max_attempts = 3
    retry_delays = factory.LazyFunction(lambda: [60, 180])


class CallFactory(DjangoModelFactory):
    class Meta:
        model = Call

    campaign = factory.SubFactory(CampaignFactory)
    entry = factory.LazyAttribute(lambda o: RegisterEntryFactory(organisation=o.campaign.organisation))
    person = factory.LazyAttribute(lambda o: o.entry.person)
    purpose = CallPurpose.EVALUATION
    status = CallStatus.ASSIGNED


class SponsorshipFactory(DjangoModelFactory):
    class Meta:
        model = Sponsorship

    entry = factory.SubFactory(RegisterEntryFactory)
    organisation = factory.LazyAttribute(lambda o: o.entry.organisation)
    volunteer = factory.LazyAttribute(lambda o: caller(o.organisation))
    every_days = 7


def register_team(organisation=None):
    """A register manager and a volunteer of one organisation: (organisation, manager, volunteer)."""
    manager = MembershipFactory(role=Role.REGISTER_MANAGER, **({"organisation": organisation} if organisation else {}))
    CallerProfileFactory(user=manager.user, organisation=manager.organisation, signed=True)
    return manager.organisation, manager.user, caller(manager.organisation)
