"""Factories of the register (issue 13). One `<Model>Factory` per model, French Faker data; states as
traits. Other parts of the register add theirs here, in the models' order.

The other factory modules of tests/register (crisis_factories, follow_factories, import_factories,
campaign_factories, calls_world) keep their names for their tests, and build on these."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from maillage.core.enums import Role
from maillage.people.enums import ConsentChannel, ConsentGiver, ConsentScope
from maillage.register.enums import (
    CallPurpose,
    CallStatus,
    CampaignStatus,
    CrisisKind,
    EntrySource,
    EntryStatus,
    LegalCategory,
    Priority,
)
from maillage.register.models import Call, CallCampaign, Crisis, Escalation, RegisterEntry, Sponsorship
from maillage.register.services import campaigns, entries
from tests.core.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.people.factories import ConsentFactory, PersonFactory
from tests.volunteers.factories import caller


def register_manager(organisation=None, **kwargs):
    """An active register manager of `organisation` (a new one by default): the membership."""
    return MembershipFactory(
        role=Role.REGISTER_MANAGER, **({"organisation": organisation} if organisation else {}), **kwargs
    )


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


class ActiveEntryFactory(DjangoModelFactory):
    """An active entry the person asked for themself, made directly (no consent row: the services make
    one in real life). The base of the crises', the calls' and the import's entries."""

    class Meta:
        model = RegisterEntry
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    person = factory.LazyAttribute(lambda o: PersonFactory(organisation=o.organisation))
    status = EntryStatus.ACTIVE
    source = EntrySource.SELF
    legal_category = LegalCategory.AGED_65
    activated_on = factory.LazyFunction(timezone.localdate)


class CrisisFactory(DjangoModelFactory):
    """A heatwave of the organisation; `communes=[…]`: the communes it concerns."""

    class Meta:
        model = Crisis
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    kind = CrisisKind.HEATWAVE

    @factory.post_generation
    def communes(self, create, extracted, **kwargs):
        if create and extracted:
            self.communes.set(extracted)


class CallCampaignFactory(DjangoModelFactory):
    """An open evaluation campaign outside any crisis."""

    class Meta:
        model = CallCampaign

    organisation = factory.SubFactory(OrganisationFactory)
    title = "Campagne de test"
    purpose = CallPurpose.EVALUATION
    status = CampaignStatus.OPEN


class CallFactory(DjangoModelFactory):
    """A call of the campaign to a new active entry of its organisation, made by `entry_factory`."""

    class Meta:
        model = Call

    class Params:
        entry_factory = ActiveEntryFactory

    campaign = factory.SubFactory(CallCampaignFactory)
    entry = factory.LazyAttribute(lambda o: o.entry_factory(organisation=o.campaign.organisation))
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


class SponsorshipFactory(DjangoModelFactory):
    """A volunteer of the entry's organisation (who may call) visits or calls the person every week."""

    class Meta:
        model = Sponsorship

    entry = factory.SubFactory(ActiveEntryFactory)
    organisation = factory.LazyAttribute(lambda o: o.entry.organisation)
    volunteer = factory.LazyAttribute(lambda o: caller(o.organisation))
    every_days = 7


# Builders through the services, as the register manager does it.


def register_through_services(actor, organisation, person, **data):
    """Put `person` on the register as `actor` does it: the person's own request, oral consent, 65 or over
    by default; `known_by_callers=[…]`: the callers who know the person."""
    known_by = data.pop("known_by_callers", ())
    return entries.entry_register(
        actor=actor,
        organisation=organisation,
        person=person,
        data={"source": EntrySource.SELF, "legal_category": LegalCategory.AGED_65, **data},
        consent_channel=ConsentChannel.ORAL,
        known_by_callers=known_by,
    )


def open_call_campaign(actor, organisation, callers, *, title="Canicule de juillet", **kwargs):
    """A campaign over the organisation's register, created and opened by `actor` (its calls dispatched to
    `callers`)."""
    campaign = campaigns.campaign_create(
        actor=actor, organisation=organisation, title=title, callers=callers, **kwargs
    )
    return campaigns.campaign_open(actor=actor, campaign=campaign)
