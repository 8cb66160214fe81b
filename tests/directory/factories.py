import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from maillage.directory import models
from maillage.directory.enums import ServiceStatus
from maillage.directory.services import service_reindex
from tests.core.factories import CommuneFactory, OrganisationFactory


class ServiceFactory(DjangoModelFactory):
    class Meta:
        model = models.Service
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Service d'essai {n}")
    description = factory.Faker("sentence", locale="fr_FR")
    status = ServiceStatus.PUBLISHED
    last_verified_at = factory.LazyFunction(timezone.now)

    class Params:
        draft = factory.Trait(status=ServiceStatus.DRAFT)
        stale = factory.Trait(
            last_verified_at=factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=400))
        )

    @factory.post_generation
    def terms(self, create, extracted, **kwargs):
        if create and extracted:
            self.terms.set(extracted)

    @factory.post_generation
    def communes_served(self, create, extracted, **kwargs):
        if create and extracted:
            self.communes_served.set(extracted)

    @factory.post_generation
    def commune(self, create, extracted, **kwargs):
        """`commune=…` delivers the service at a place in that commune."""
        if create and extracted:
            location = LocationFactory(organisation=self.organisation, commune=extracted)
            models.ServiceAtLocation.objects.create(service=self, location=location)

    @factory.post_generation
    def reindex(self, create, extracted, **kwargs):
        if create:
            service_reindex(self)
            self.refresh_from_db(fields=["search_text"])


class LocationFactory(DjangoModelFactory):
    class Meta:
        model = models.Location

    organisation = factory.SubFactory(OrganisationFactory)
    address = factory.Faker("street_address", locale="fr_FR")
    postal_code = "21000"
    commune = factory.SubFactory(CommuneFactory)


class PhoneFactory(DjangoModelFactory):
    class Meta:
        model = models.Phone

    service = factory.SubFactory(ServiceFactory)
    number = "03 80 00 00 00"


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = models.Contact

    service = factory.SubFactory(ServiceFactory)
    name = factory.Faker("name", locale="fr_FR")


class RegularScheduleFactory(DjangoModelFactory):
    class Meta:
        model = models.RegularSchedule

    service = factory.SubFactory(ServiceFactory)
    weekday = 0
    opens_at = datetime.time(9, 0)
    closes_at = datetime.time(12, 0)


class ScheduleExceptionFactory(DjangoModelFactory):
    class Meta:
        model = models.ScheduleException

    service = factory.SubFactory(ServiceFactory)
    start_date = datetime.date(2025, 8, 1)
    end_date = datetime.date(2025, 8, 31)
    description = "Fermeture estivale"


class ServiceAccessibilityFactory(DjangoModelFactory):
    class Meta:
        model = models.ServiceAccessibility

    service = factory.SubFactory(ServiceFactory)
    feature = "step_free"


def term(slug: str, code: str) -> models.TaxonomyTerm:
    return models.TaxonomyTerm.objects.get(taxonomy__slug=slug, code=code)
