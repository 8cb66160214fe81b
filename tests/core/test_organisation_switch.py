import pytest
from django.urls import reverse

from maillage.core.enums import Role
from maillage.core.middleware import SESSION_ORGANISATION_KEY
from tests.conftest import login_verified
from tests.core.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_hats(client):
    first = MembershipFactory(role=Role.COORDINATOR, organisation__name="AAA CCAS")
    second = MembershipFactory(role=Role.ADMIN, user=first.user, organisation__name="BBB CLIC")
    login_verified(client, first.user)
    return client, first, second


def test_switch_to_another_of_ones_organisations(two_hats):
    client, first, second = two_hats
    assert "AAA CCAS</strong>" in client.get(reverse("core:dashboard")).content.decode()
    response = client.post(reverse("core:organisation_switch"), {"organisation": second.organisation_id}, follow=True)
    body = response.content.decode()
    assert "BBB CLIC</strong>" in body
    assert "administrateur·rice</strong>" in body
    assert client.session[SESSION_ORGANISATION_KEY] == second.organisation_id


@pytest.mark.parametrize("value", ["999999", "abc", ""])
def test_unknown_organisation_changes_nothing(two_hats, value):
    client, first, _ = two_hats
    client.get(reverse("core:dashboard"))
    response = client.post(reverse("core:organisation_switch"), {"organisation": value}, follow=True)
    assert "Structure inconnue, ou vous n&#x27;en êtes pas membre" in response.content.decode()
    assert client.session[SESSION_ORGANISATION_KEY] == first.organisation_id


def test_cannot_switch_to_an_organisation_one_is_not_member_of(two_hats):
    client, first, _ = two_hats
    foreign = OrganisationFactory()
    client.post(reverse("core:organisation_switch"), {"organisation": foreign.pk})
    assert client.session[SESSION_ORGANISATION_KEY] == first.organisation_id


def test_withdrawn_membership_falls_back_with_a_warning(two_hats):
    client, first, second = two_hats
    client.post(reverse("core:organisation_switch"), {"organisation": second.organisation_id})
    second.is_active = False
    second.save()
    body = client.get(reverse("core:dashboard")).content.decode()
    assert "Vous n&#x27;êtes plus membre de la structure choisie" in body
    assert "AAA CCAS</strong>" in body
