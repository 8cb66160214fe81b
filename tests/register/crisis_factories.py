"""Factories for the crises' tests: entries, crises, campaigns, calls and alerts made directly (the
calls' services, written elsewhere, create them in real life). Built on tests/register/factories.py."""

import datetime

import factory
from django.utils import timezone

from tests.core.factories import CommuneFactory, OrganisationFactory, UserFactory
from tests.people.factories import PersonAddressFactory, PersonPhoneFactory
from tests.register import factories as base


class CrisisEntryFactory(base.ActiveEntryFactory):
    """An active entry of a person living in `commune` (a current address there, one phone)."""

    @factory.post_generation
    def commune(self, create, extracted, **kwargs):
        """`commune=…`: where the person lives (a current address, and one phone)."""
        if create:
            PersonAddressFactory(person=self.person, commune=extracted or CommuneFactory(), is_current=True)
            PersonPhoneFactory(person=self.person)


class CrisisFactory(base.CrisisFactory):
    """A heatwave at level 3, activated yesterday."""

    level = 3
    activated_by = factory.SubFactory(UserFactory)
    started_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))


class CampaignFactory(base.CallCampaignFactory):
    """A campaign of a crisis (of the crisis's organisation)."""

    organisation = factory.LazyAttribute(lambda o: o.crisis.organisation)
    crisis = factory.SubFactory(CrisisFactory)
    title = factory.Sequence(lambda n: f"Appels canicule {n}")
    script_introduction = "Bonjour, je vous appelle de la part de la mairie."


class CallFactory(base.CallFactory):
    """A call to do, of a crisis's campaign, to a person with an address and a phone."""

    class Params:
        entry_factory = CrisisEntryFactory

    campaign = factory.SubFactory(CampaignFactory)


class EscalationFactory(base.EscalationFactory):
    call = factory.SubFactory(CallFactory)


def rennes_and_cesson():
    """An organisation serving Rennes and Cesson-Sévigné, and its register manager:
    (organisation, manager, rennes, cesson)."""
    organisation = OrganisationFactory()
    rennes = CommuneFactory(code="35238", name="Rennes")
    cesson = CommuneFactory(code="35051", name="Cesson-Sévigné")
    organisation.communes_served.set([rennes, cesson])
    return organisation, base.register_manager(organisation).user, rennes, cesson
