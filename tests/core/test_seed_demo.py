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
