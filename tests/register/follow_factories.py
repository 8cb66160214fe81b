"""Factories of the register for the orientation and sponsorship tests (helper « follow »). Built on
tests/register/factories.py."""

import factory

from maillage.register.enums import CallStatus
from tests.people.factories import PersonAddressFactory
from tests.register import factories as base
from tests.volunteers.factories import CallerProfileFactory, caller


class RegisterEntryFactory(base.ActiveEntryFactory):
    """An active entry of a person with an address (`address=commune`, or `address=False`: none)."""

    @factory.post_generation
    def address(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            PersonAddressFactory(person=obj.person, **({"commune": extracted} if extracted else {}))


class CrisisFactory(base.CrisisFactory):
    title = "Canicule de test"


class CampaignFactory(base.CallCampaignFactory):
    max_attempts = 3
    retry_delays = factory.LazyFunction(lambda: [60, 180])


class CallFactory(base.CallFactory):
    """A call assigned (to nobody unless `assigned_to`), to a person with an address."""

    class Params:
        entry_factory = RegisterEntryFactory

    campaign = factory.SubFactory(CampaignFactory)
    status = CallStatus.ASSIGNED


class SponsorshipFactory(base.SponsorshipFactory):
    entry = factory.SubFactory(RegisterEntryFactory)


def register_team(organisation=None):
    """A register manager and a volunteer of one organisation: (organisation, manager, volunteer)."""
    manager = base.register_manager(organisation)
    CallerProfileFactory(user=manager.user, organisation=manager.organisation, signed=True)
    return manager.organisation, manager.user, caller(manager.organisation)
