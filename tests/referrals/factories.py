import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from maillage.people.enums import ConsentChannel, ConsentScope
from maillage.people.models import Consent
from maillage.referrals.enums import ReferralStatus
from maillage.referrals.models import Referral
from tests.core.factories import OrganisationFactory, UserFactory
from tests.directory.factories import ServiceFactory
from tests.people.factories import PersonFactory


class ReferralFactory(DjangoModelFactory):
    """A referral sent by the person's organisation to a service of another one, with its consent."""

    class Meta:
        model = Referral
        skip_postgeneration_save = True

    from_organisation = factory.SubFactory(OrganisationFactory)
    person = factory.SubFactory(PersonFactory, organisation=factory.SelfAttribute("..from_organisation"))
    sender = factory.SubFactory(UserFactory)
    to_service = factory.SubFactory(ServiceFactory)
    to_organisation = factory.SelfAttribute("to_service.organisation")
    referral_type = "support"
    reason = "Accompagnement pour une demande de logement."
    needs = factory.LazyFunction(lambda: ["organiser-sa-vie-quotidienne"])
    consent = factory.LazyAttribute(
        lambda o: Consent.objects.create(
            person=o.person, scope=ConsentScope.REFERRAL, partner=o.to_organisation, channel=ConsentChannel.ORAL
        )
    )
    status = ReferralStatus.SENT
    sent_at = factory.LazyFunction(timezone.now)


class ReceivingServiceFactory(ServiceFactory):
    """A service whose organisation has someone to read referrals (an active partner account): a
    referral may only be sent to such a one (referrals.services.can_receive_referrals)."""

    @factory.post_generation
    def receiver(self, create, extracted, **kwargs):
        if create:
            from maillage.core.enums import Role
            from tests.core.factories import MembershipFactory

            MembershipFactory(organisation=self.organisation, role=Role.PARTNER)
