"""Factories for the crises' tests: entries, crises, campaigns, calls and alerts made directly (the
calls' services, written elsewhere, create them in real life)."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from maillage.register.enums import CallPurpose, CallStatus, CampaignStatus, EntrySource, EntryStatus, LegalCategory
from maillage.register.models import Call, CallCampaign, Crisis, Escalation, RegisterEntry
from tests.core.factories import CommuneFactory, OrganisationFactory, UserFactory
from tests.people.factories import PersonAddressFactory, PersonFactory, PersonPhoneFactory


class CrisisEntryFactory(DjangoModelFactory):
    """An active entry of a person living in `commune` (a current address there, one phone)."""

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
    def commune(self, create, extracted, **kwargs):
        """`commune=…`: where the person lives (a current address, and one phone)."""
        if create:
            PersonAddressFactory(person=self.person, commune=extracted or CommuneFactory(), is_current=True)
            PersonPhoneFactory(person=self.person)


class CrisisFactory(DjangoModelFactory):
    class Meta:
        model = Crisis
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    kind = "heatwave"
    level = 3
    activated_by = factory.SubFactory(UserFactory)
    started_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))

    @factory.post_generation
    def communes(self, create, extracted, **kwargs):
        if create and extracted:
            self.communes.set(extracted)


class CampaignFactory(DjangoModelFactory):
    class Meta:
        model = CallCampaign

    organisation = factory.LazyAttribute(lambda o: o.crisis.organisation)
    crisis = factory.SubFactory(CrisisFactory)
    title = factory.Sequence(lambda n: f"Appels canicule {n}")
    purpose = CallPurpose.EVALUATION
    status = CampaignStatus.OPEN
    script_introduction = "Bonjour, je vous appelle de la part de la mairie."


class CallFactory(DjangoModelFactory):
    class Meta:
        model = Call

    campaign = factory.SubFactory(CampaignFactory)
    entry = factory.LazyAttribute(lambda o: CrisisEntryFactory(organisation=o.campaign.organisation))
    person = factory.LazyAttribute(lambda o: o.entry.person)
    purpose = CallPurpose.EVALUATION
    status = CallStatus.TO_DO


class EscalationFactory(DjangoModelFactory):
    class Meta:
        model = Escalation

    call = factory.SubFactory(CallFactory)
    organisation = factory.LazyAttribute(lambda o: o.call.campaign.organisation)
    entry = factory.LazyAttribute(lambda o: o.call.entry)
    reason = "unreachable"
    raised_by = factory.SubFactory(UserFactory)
