import datetime

import factory
from factory.django import DjangoModelFactory

from maillage.people.enums import ConsentChannel, ConsentScope, RelationKind, Sex
from maillage.people.models import Consent, Person, PersonAddress, PersonPhone, Relation
from tests.core.factories import CommuneFactory, OrganisationFactory


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    organisation = factory.SubFactory(OrganisationFactory)
    last_name = factory.Faker("last_name", locale="fr_FR")
    first_names = factory.Faker("first_name", locale="fr_FR")
    sex = Sex.FEMALE
    birth_date = factory.Faker(
        "date_between", start_date=datetime.date(1925, 1, 1), end_date=datetime.date(1960, 12, 31)
    )


class PersonAddressFactory(DjangoModelFactory):
    class Meta:
        model = PersonAddress

    person = factory.SubFactory(PersonFactory)
    line = factory.Faker("street_address", locale="fr_FR")
    commune = factory.SubFactory(CommuneFactory)
    postal_code = "21000"


class PersonPhoneFactory(DjangoModelFactory):
    class Meta:
        model = PersonPhone

    person = factory.SubFactory(PersonFactory)
    number = factory.Sequence(lambda n: f"+3361234{n % 10000:04d}")
    is_preferred = True


class RelationFactory(DjangoModelFactory):
    class Meta:
        model = Relation

    person = factory.SubFactory(PersonFactory)
    kind = RelationKind.INFORMAL_CARER
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")


class ConsentFactory(DjangoModelFactory):
    class Meta:
        model = Consent

    person = factory.SubFactory(PersonFactory)
    scope = ConsentScope.PROCESSING
    channel = ConsentChannel.ORAL
