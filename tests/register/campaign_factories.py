"""Factories of the campaign and caller pages' tests: a register with entries (persons with an
address and a phone), a campaign built and opened through the services."""

from maillage.core.enums import Role
from maillage.people.enums import ConsentChannel
from maillage.register.enums import EntrySource, LegalCategory
from maillage.register.services import campaigns, entries
from tests.core.factories import MembershipFactory, OrganisationFactory
from tests.people.factories import PersonAddressFactory, PersonFactory, PersonPhoneFactory
from tests.volunteers.factories import CallerProfileFactory


def manager_of(organisation=None):
    return MembershipFactory(organisation=organisation or OrganisationFactory(), role=Role.REGISTER_MANAGER)


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
    return entries.entry_register(
        actor=manager,
        organisation=organisation,
        person=person,
        data={"source": EntrySource.SELF, "legal_category": LegalCategory.AGED_65, **data},
        consent_channel=ConsentChannel.ORAL,
    )


def open_campaign(manager, callers, *, persons=1, title="Canicule de juillet", **kwargs):
    """A campaign over `persons` new registered persons, opened (its calls dispatched to `callers`)."""
    organisation = manager.memberships.get().organisation
    for _ in range(persons):
        registered_person(manager)
    campaign = campaigns.campaign_create(
        actor=manager, organisation=organisation, title=title, callers=callers, **kwargs
    )
    return campaigns.campaign_open(actor=manager, campaign=campaign)
