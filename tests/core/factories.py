import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from maillage.core.demo import fake_siret
from maillage.core.enums import OrganisationKind, Role
from maillage.core.models import Commune, Departement, Membership, MembershipInvitation, Organisation, User


class DepartementFactory(DjangoModelFactory):
    class Meta:
        model = Departement
        django_get_or_create = ["code"]

    code = "21"
    name = "Côte-d'Or"
    region_code = "27"


class CommuneFactory(DjangoModelFactory):
    class Meta:
        model = Commune
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"21{n % 1000:03d}")
    name = factory.Faker("city", locale="fr_FR")
    departement = factory.SubFactory(DepartementFactory)
    postal_codes = factory.LazyFunction(lambda: ["21000"])
    population = 1000


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"CCAS de test {n}")
    kind = OrganisationKind.CCAS
    siret = factory.Sequence(lambda n: fake_siret(__import__("random").Random(n)))
    email = factory.Faker("company_email", locale="fr_FR")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"agent{n}@exemple.fr")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.django.Password("Un-mot-de-passe-solide-1")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.RECEPTION_AGENT

    class Params:
        admin = factory.Trait(role=Role.ADMIN)
        dpo = factory.Trait(role=Role.DPO)


class MembershipInvitationFactory(DjangoModelFactory):
    class Meta:
        model = MembershipInvitation

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.RECEPTION_AGENT
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=14))


def api_key_for(user, organisation, **fields):
    """A personal API key row and its secret, written directly (whatever the holder's role: the
    attack tests need keys that the service would refuse to make). Returns (key, secret)."""
    import datetime
    import secrets

    from django.utils import timezone

    from maillage.core import api_keys
    from maillage.core.models import ApiKey

    secret = api_keys.TOKEN_PREFIX + secrets.token_urlsafe(32)
    values = {
        "name": "Logiciel de suivi",
        "prefix": secret[: api_keys.PREFIX_LENGTH],
        "secret_hash": api_keys.digest(secret),
        "expires_at": timezone.now() + datetime.timedelta(days=90),
        **fields,
    }
    return ApiKey.objects.create(user=user, organisation=organisation, **values), secret
