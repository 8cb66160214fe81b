"""Synthetic persons for a demo territory (Faker fr_FR, real communes of its département). Idempotent."""

import datetime
import random

from django.db import transaction
from faker import Faker

from maillage.core.models import Commune, Organisation
from maillage.people.enums import ConsentChannel, ConsentScope, HousingSituation, RelationKind, Sex
from maillage.people.models import Consent, Person, PersonAddress, PersonPhone, Relation

DEMO_PERSONS_PER_ORGANISATION = 30


@transaction.atomic
def seed_persons(
    organisation: Organisation,
    communes: list[Commune],
    *,
    count: int = DEMO_PERSONS_PER_ORGANISATION,
    phone_prefix: str = "03 80",
):
    """`phone_prefix`: the area's landline prefix (« 02 99 » around Rennes, « 03 80 » around Dijon)."""
    if organisation.persons.exists():
        return 0
    fake = Faker("fr_FR")
    fake.seed_instance(organisation.pk)
    rng = random.Random(organisation.pk)  # noqa: S311 (reproducible demo data, not a secret)
    landline = "+33" + phone_prefix.replace(" ", "")[1:]
    for index in range(count):
        sex = rng.choice([Sex.FEMALE, Sex.FEMALE, Sex.MALE])
        first = fake.first_name_female() if sex == Sex.FEMALE else fake.first_name_male()
        last = fake.last_name()
        birth_name = fake.last_name() if sex == Sex.FEMALE and rng.random() < 0.5 else ""
        person = Person(
            organisation=organisation,
            last_name=last,
            birth_name=birth_name,
            first_names=first,
            sex=sex,
            birth_date=datetime.date(rng.randint(1928, 1958), rng.randint(1, 12), rng.randint(1, 28)),
            lives_alone=rng.random() < 0.6,
            gir=rng.choice([None, None, 2, 3, 4, 5, 6]),
        )
        person.full_clean()
        person.save()
        commune = rng.choice(communes)
        PersonAddress.objects.create(
            person=person,
            line=fake.street_address(),
            postal_code=rng.choice(commune.postal_codes or [""]),
            commune=commune,
            housing=rng.choice([HousingSituation.OWNER, HousingSituation.TENANT, HousingSituation.SOCIAL_TENANT]),
        )
        PersonPhone.objects.create(
            person=person, number=f"{landline}{rng.randint(0, 999999):06d}", kind="landline", is_preferred=True
        )
        if index % 3 == 0:
            relationship = rng.choice(["fille", "fils", "nièce", "voisine"])
            Relation.objects.create(
                person=person,
                kind=RelationKind.INFORMAL_CARER,
                # A son is a man, a daughter, niece or neighbour (« voisine ») a woman.
                first_name=fake.first_name_male() if relationship == "fils" else fake.first_name_female(),
                last_name=last,
                relationship=relationship,
                phone=f"+336{rng.randint(10000000, 99999999)}",
                is_emergency_contact=True,
            )
        Consent.objects.create(person=person, scope=ConsentScope.PROCESSING, channel=ConsentChannel.ORAL)
        if person.lives_alone and index % 2 == 0:
            Consent.objects.create(person=person, scope=ConsentScope.REGISTER, channel=ConsentChannel.SIGNED_PAPER)
    return count
