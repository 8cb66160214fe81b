"""The register's level-3 orientation (« Mise en relation avec le CLIC, le DAC ou l'équipe APA ») becomes
a referral: the task on the person's file offers the referral form searched by the CLIC serving the
person; the referral sent to a CLIC, a DAC or the département marks the task done, one to another kind
of partner does not."""

import datetime
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.casework.models import FollowUpTask
from maillage.core.enums import OrganisationKind, Role
from maillage.register.services.orientation import REFERRAL_TASK
from tests.conftest import login_verified
from tests.core.factories import CommuneFactory, MembershipFactory, OrganisationFactory
from tests.people.factories import PersonAddressFactory, PersonFactory
from tests.referrals.factories import ReceivingServiceFactory

pytestmark = pytest.mark.django_db


def _form(service):
    return {
        "service": service.pk,
        "referral_type": "support",
        "reason": "Évaluation approfondie après l'appel de veille.",
        "urgency": "normal",
        "consent_given": "on",
        "consent_given_by": "person",
        "consent_channel": "oral",
    }


@pytest.fixture
def world():
    manager = MembershipFactory(role=Role.REGISTER_MANAGER)
    commune = CommuneFactory()
    person = PersonFactory(organisation=manager.organisation, first_names="Yvonne", last_name="Le Bihan")
    PersonAddressFactory(person=person, commune=commune, is_current=True)
    clic = OrganisationFactory(kind=OrganisationKind.CLIC, name="CLIC du Pays de Brocéliande")
    clic.communes_served.add(commune)
    clic_service = ReceivingServiceFactory(organisation=clic, name="Évaluation à domicile")
    task = FollowUpTask.objects.create(
        person=person,
        organisation=manager.organisation,
        assignee=manager.user,
        title=f"{REFERRAL_TASK} ({clic.name})",
        due_on=timezone.localdate() + datetime.timedelta(days=1),
    )
    return manager, person, clic_service, task


def test_the_level_3_task_offers_the_referral_to_the_clic_and_the_referral_does_it(client, world):
    manager, person, clic_service, task = world
    login_verified(client, manager.user)
    page = html.unescape(client.get(reverse("casework:note_list", args=[person.pk])).content.decode())
    url = reverse("referrals:create", args=[person.pk]) + "?q=CLIC+du+Pays+de+Brocéliande"
    assert "Orienter la personne vers ce partenaire" in page
    assert html.unescape(url.replace("é", "%C3%A9")) in page
    search = html.unescape(client.get(url).content.decode())
    assert "Évaluation à domicile" in search and "CLIC du Pays de Brocéliande" in search
    response = client.post(reverse("referrals:create", args=[person.pk]), _form(clic_service))
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.done_at is not None
    page = html.unescape(client.get(reverse("casework:note_list", args=[person.pk])).content.decode())
    assert "Orienter la personne vers ce partenaire" not in page


def test_a_referral_to_another_kind_of_partner_leaves_the_task_open(client, world):
    manager, person, _clic_service, task = world
    association = ReceivingServiceFactory(organisation__kind=OrganisationKind.ASSOCIATION)
    login_verified(client, manager.user)
    assert client.post(reverse("referrals:create", args=[person.pk]), _form(association)).status_code == 302
    task.refresh_from_db()
    assert task.done_at is None


def test_who_cannot_orient_sees_no_offer(client, world):
    _manager, person, _clic_service, _task = world
    director = MembershipFactory(organisation=person.organisation, role=Role.DIRECTOR)  # reads, does not orient
    login_verified(client, director.user)
    response = client.get(reverse("casework:note_list", args=[person.pk]))
    assert response.status_code == 200 and "Mise en relation avec le CLIC" in html.unescape(response.content.decode())
    assert "Orienter la personne vers ce partenaire" not in html.unescape(response.content.decode())
