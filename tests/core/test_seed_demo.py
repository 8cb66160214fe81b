import pytest
from django.core.management import call_command

from maillage.core.demo import DEMO_PASSWORD
from maillage.core.enums import OrganisationKind, Role
from maillage.core.models import Membership, Organisation, User

pytestmark = pytest.mark.django_db


def test_seed_demo_builds_every_kind_and_one_account_per_role_and_is_safe_twice(capsys):
    call_command("seed_demo")
    first = capsys.readouterr().out
    counts = (Organisation.objects.count(), User.objects.count(), Membership.objects.count())
    call_command("seed_demo")
    second = capsys.readouterr().out
    assert (Organisation.objects.count(), User.objects.count(), Membership.objects.count()) == counts
    assert set(Organisation.objects.values_list("kind", flat=True)) == set(OrganisationKind.values)
    roles = set(Membership.objects.filter(user__is_demo=True).values_list("role", flat=True))
    assert roles == set(Role.values)
    for organisation in Organisation.objects.all():
        organisation.full_clean()  # real SIRET keys, real communes
        assert organisation.commune.departement.code == "21"
    assert DEMO_PASSWORD in first
    assert first.count("clé TOTP :") == len(Role)
    # The same secrets are printed again: the second run reuses the devices.
    assert [line for line in first.splitlines() if "clé TOTP :" in line][0].split("code")[0] == [
        line for line in second.splitlines() if "clé TOTP :" in line
    ][0].split("code")[0]


def test_seed_demo_refuses_outside_development(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.MAILLAGE_DEMO_ACCOUNTS_ALLOWED = False
    with pytest.raises(ImproperlyConfigured):
        call_command("seed_demo")


def test_purge_demo_accounts_deactivates_them(settings):
    call_command("seed_demo")
    call_command("purge_demo_accounts")
    assert not User.objects.filter(is_demo=True, is_active=True).exists()
    settings.MAILLAGE_DEMO_ACCOUNTS_ALLOWED = False
    from maillage.core.checks import check_no_demo_accounts

    assert check_no_demo_accounts() == []


def test_seed_demo_fills_the_directory_for_a_newcomer_and_is_safe_twice(client):
    from maillage.core import access
    from maillage.directory.models import Service

    call_command("seed_demo")
    count = Service.objects.count()
    call_command("seed_demo")
    assert Service.objects.count() == count
    published = access.services_public()
    assert published.count() >= 40
    assert Service.objects.filter(status="draft").exists()
    assert published.values("organisation").distinct().count() >= 10
    assert not published.filter(service_at_locations__isnull=True).exists()
    assert not published.filter(phones__isnull=True).exists()
    assert published.filter(schedule_exceptions__description="Fermeture estivale").exists()
    assert published.filter(languages__code="fsl").exists()
    # « portage de repas » à Dijon, de plain-pied: the public search finds it.
    page = client.get(
        "/annuaire/public/", {"q": "portage de repas", "commune": "21231", "accessibility": "step_free"}
    ).content.decode()
    assert "Portage de repas à domicile" in page
    api = client.get("/api/v1/services", {"q": "portage de repas", "commune": "21231"}).json()
    assert "Portage de repas à domicile" in [s["name"] for s in api["contents"]]


def test_seed_demo_creates_synthetic_persons_once():
    from maillage.people.models import Person

    call_command("seed_demo")
    count = Person.objects.count()
    call_command("seed_demo")
    assert Person.objects.count() == count == 60
    assert set(Person.objects.values_list("organisation__name", flat=True)) == {"CCAS de Dijon", "CLIC du Grand Dijon"}
