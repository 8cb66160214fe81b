import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from maillage.casework.models import CareTeamMember, Contact, Request
from maillage.casework.models.requests import ContactKind, RequesterKind, RequestOutcome
from tests.core.factories import OrganisationFactory, UserFactory
from tests.people.factories import PersonFactory

# --- Requests and contacts (casework/models/requests.py) ------------------------------------------


class RequestFactory(DjangoModelFactory):
    class Meta:
        model = Request
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    person = factory.SubFactory(PersonFactory, organisation=factory.SelfAttribute("..organisation"))
    requester_kind = RequesterKind.PERSON
    outcome = RequestOutcome.ANSWERED
    time_spent_minutes = 10
    received_at = factory.LazyFunction(timezone.now)
    handled_by = factory.SubFactory(UserFactory)

    class Params:
        anonymous = factory.Trait(person=None, requester_kind=RequesterKind.ANONYMOUS)

    @factory.post_generation
    def subjects(self, create, extracted, **kwargs):
        if create and extracted:
            self.subjects.set(extracted)

    @factory.post_generation
    def services_given(self, create, extracted, **kwargs):
        if create and extracted:
            self.services_given.set(extracted)


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    person = factory.SubFactory(PersonFactory)
    organisation = factory.SelfAttribute("person.organisation")
    kind = ContactKind.PHONE_OUT
    occurred_at = factory.LazyFunction(timezone.now)
    duration_minutes = 15
    summary = factory.Faker("sentence", locale="fr_FR")
    author = factory.SubFactory(UserFactory)


class CareTeamMemberFactory(DjangoModelFactory):
    class Meta:
        model = CareTeamMember

    person = factory.SubFactory(PersonFactory)
    user = factory.SubFactory(UserFactory)
    role = "Infirmière SSIAD"


def share_with(person, organisation):
    """The person's consent, in force, to share their file with `organisation` (the care team's
    condition for a professional of another organisation)."""
    from maillage.people.enums import ConsentScope
    from tests.people.factories import ConsentFactory

    return ConsentFactory(person=person, scope=ConsentScope.SHARING, partner=organisation)


def care_team_place(person, membership, **kwargs):
    """Put the member in the person's care team for their organisation, with the consent to share
    when that organisation is not the person's."""
    if membership.organisation_id != person.organisation_id:
        share_with(person, membership.organisation)
    return CareTeamMemberFactory(person=person, user=membership.user, organisation=membership.organisation, **kwargs)
