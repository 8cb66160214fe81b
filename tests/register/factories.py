"""Factories of the register (issue 13). One `<Model>Factory` per model, French Faker data; states as
traits. Other parts of the register add theirs here, in the models' order."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from maillage.core.enums import Role
from maillage.people.enums import ConsentChannel, ConsentGiver, ConsentScope
from maillage.register.enums import EntrySource, EntryStatus, LegalCategory, Priority
from maillage.register.models import RegisterEntry
from tests.core.factories import MembershipFactory, OrganisationFactory
from tests.people.factories import ConsentFactory, PersonFactory


def register_manager(organisation, **kwargs):
    """An active register manager of `organisation` (the membership)."""
    return MembershipFactory(organisation=organisation, role=Role.REGISTER_MANAGER, **kwargs)


class RegisterEntryFactory(DjangoModelFactory):
    """A pending entry asked by a relative, by default; `active`, `suspended`, `removed` traits."""

    class Meta:
        model = RegisterEntry

    organisation = factory.SubFactory(OrganisationFactory)
    person = factory.SubFactory(PersonFactory, organisation=factory.SelfAttribute("..organisation"))
    status = EntryStatus.PENDING_CONSENT
    source = EntrySource.THIRD_PARTY
    requester_name = factory.Faker("name", locale="fr_FR")
    requester_relationship = "fille"
    requester_contact = factory.Faker("phone_number", locale="fr_FR")
    legal_category = LegalCategory.AGED_65
    priority = Priority.NORMAL
    isolation_factors = factory.LazyFunction(lambda: ["lives_alone"])

    class Params:
        active = factory.Trait(
            status=EntryStatus.ACTIVE,
            source=EntrySource.SELF,
            requester_name="",
            requester_relationship="",
            requester_contact="",
            consent=factory.SubFactory(
                ConsentFactory,
                person=factory.SelfAttribute("..person"),
                scope=ConsentScope.REGISTER,
                channel=ConsentChannel.ORAL,
                given_by=ConsentGiver.PERSON,
            ),
            consent_wording="J'accepte l'inscription au registre.",
            activated_on=factory.LazyFunction(timezone.localdate),
            confirmed_on=factory.LazyFunction(timezone.localdate),
        )
        suspended = factory.Trait(active=True, status=EntryStatus.SUSPENDED, suspended_reason="Hospitalisée")
        removed = factory.Trait(
            status=EntryStatus.REMOVED,
            removed_at=factory.LazyFunction(timezone.now),
            removal_reason="À la demande de la personne",
        )
        # Active and last confirmed thirteen months ago: on « Inscriptions à confirmer ».
        to_confirm = factory.Trait(
            active=True, confirmed_on=factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=400))
        )
