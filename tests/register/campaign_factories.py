"""Factories of the campaign and caller pages' tests: a register with entries (persons with an
address and a phone), a campaign built and opened through the services (tests/register/factories.py)."""

from maillage.core.enums import Role
from tests.core.factories import MembershipFactory, OrganisationFactory
from tests.people.factories import PersonAddressFactory, PersonFactory, PersonPhoneFactory
from tests.register import factories as base
from tests.volunteers.factories import CallerProfileFactory


def manager_of(organisation=None):
    return base.register_manager(organisation or OrganisationFactory())


def volunteer_of(organisation, *, signed=True):
    """A volunteer of the organisation with a caller profile there (the charter signed by default)."""
    membership = MembershipFactory(organisation=organisation, role=Role.VOLUNTEER)
    CallerProfileFactory(user=membership.user, organisation=organisation, signed=signed)
    return membership


def registered_person(manager, *, last_name=None, **data):
    """A person of the manager's organisation, with a current address and a phone, on the register."""
    organisation = manager.memberships.get().organisation
    person = PersonFactory(organisation=organisation, **({"last_name": last_name} if last_name else {}))
    PersonAddressFactory(person=person, is_current=True)
    PersonPhoneFactory(person=person)
    return base.register_through_services(manager, organisation, person, **data)


def open_campaign(manager, callers, *, persons=1, title="Canicule de juillet", **kwargs):
    """A campaign over `persons` new registered persons, opened (its calls dispatched to `callers`)."""
    organisation = manager.memberships.get().organisation
    for _ in range(persons):
        registered_person(manager)
    return base.open_call_campaign(manager, organisation, callers, title=title, **kwargs)
