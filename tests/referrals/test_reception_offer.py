"""The reception's « orientée vers un partenaire » offers to make it a referral (issue 14)."""

import pytest
from django.urls import reverse

from maillage.casework.models.requests import RequestOutcome
from maillage.core.enums import Role
from maillage.referrals.enums import ReferralStatus
from tests.casework.factories import RequestFactory
from tests.conftest import login_verified
from tests.core.factories import MembershipFactory
from tests.directory.factories import ServiceFactory
from tests.referrals.factories import ReferralFactory

pytestmark = pytest.mark.django_db

OFFER = "Orienter avec l'accord de la personne"


def _oriented_request(organisation):
    return RequestFactory(organisation=organisation, outcome=RequestOutcome.ORIENTED, oriented_to=ServiceFactory())


def test_an_oriented_request_offers_the_referral_form(client):
    agent = MembershipFactory(role=Role.RECEPTION_AGENT)
    login_verified(client, agent.user)
    done = _oriented_request(agent.organisation)
    body = client.get(reverse("casework:request_detail", args=[done.pk])).content.decode()
    assert OFFER in body
    assert reverse("referrals:create", args=[done.person_id]) + f"?service={done.oriented_to_id}" in body


def test_no_offer_once_the_referral_exists_or_for_a_role_that_does_not_orient(client):
    agent = MembershipFactory(role=Role.RECEPTION_AGENT)
    done = _oriented_request(agent.organisation)
    ReferralFactory(person=done.person, from_organisation=agent.organisation, to_service=done.oriented_to)
    login_verified(client, agent.user)
    assert OFFER not in client.get(reverse("casework:request_detail", args=[done.pk])).content.decode()
    director = MembershipFactory(organisation=agent.organisation, role=Role.DIRECTOR)
    login_verified(client, director.user)
    other = _oriented_request(agent.organisation)
    response = client.get(reverse("casework:request_detail", args=[other.pk]))
    assert OFFER not in response.content.decode()


def test_a_cancelled_referral_offers_again(client):
    agent = MembershipFactory(role=Role.COORDINATOR)
    done = _oriented_request(agent.organisation)
    ReferralFactory(
        person=done.person,
        from_organisation=agent.organisation,
        to_service=done.oriented_to,
        status=ReferralStatus.CANCELLED,
    )
    login_verified(client, agent.user)
    assert OFFER in client.get(reverse("casework:request_detail", args=[done.pk])).content.decode()
