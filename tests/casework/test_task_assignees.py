"""Follow-up tasks go to any colleague who may act on the file, and a date in the past is asked
again (issue 11, point 6). Attack tests first: a forged POST naming another organisation's member,
an ended membership, a volunteer, a partner or the data-protection officer is refused in French."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from maillage.casework.models import FollowUpTask
from maillage.casework.services.followup import followup_task_create
from maillage.core import access
from maillage.core.enums import Role
from tests.conftest import login_verified
from tests.core.factories import MembershipFactory, UserFactory
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _day(offset: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=offset)).isoformat()


@pytest.fixture
def office(client):
    coordinator = MembershipFactory(role=Role.COORDINATOR, user__first_name="Claire", user__last_name="Martin")
    organisation = coordinator.organisation
    login_verified(client, coordinator.user)
    colleagues = {
        role: MembershipFactory(organisation=organisation, role=role, user__last_name=f"Collègue {role.value}")
        for role in Role
    }
    colleagues["ended"] = MembershipFactory(
        organisation=organisation, role=Role.COORDINATOR, is_active=False, user__last_name="Partie"
    )
    colleagues["foreign"] = MembershipFactory(role=Role.COORDINATOR, user__last_name="Ailleurs")
    person = PersonFactory(organisation=organisation)
    return client, coordinator, colleagues, person


def test_assignees_are_the_active_colleagues_whose_role_acts_on_files(office):
    _, coordinator, colleagues, _ = office
    assignees = set(access.task_assignees_for(coordinator.organisation))
    expected = {coordinator.user} | {
        colleagues[role].user
        for role in (Role.RECEPTION_AGENT, Role.COORDINATOR, Role.REGISTER_MANAGER, Role.DIRECTOR)
    }
    assert assignees == expected
    assert access.TASK_ASSIGNEE_ROLES == access.CARE_TEAM_ROLES  # the grant's own rule, not a copy


def test_the_form_offers_every_colleague_who_may_act(office):
    client, _, colleagues, person = office
    page = client.get(reverse("casework:note_list", args=[person.pk])).content.decode()
    assert f'value="{colleagues[Role.RECEPTION_AGENT].user.pk}"' in page
    assert f'value="{colleagues[Role.DIRECTOR].user.pk}"' in page
    for refused in (Role.VOLUNTEER, Role.PARTNER, Role.DPO, Role.ADMIN, "ended", "foreign"):
        assert f'value="{colleagues[refused].user.pk}"' not in page


def test_a_task_is_given_to_a_reception_colleague(office):
    client, _, colleagues, person = office
    agent = colleagues[Role.RECEPTION_AGENT].user
    url = reverse("casework:task_create", args=[person.pk])
    response = client.post(url, {"title": "Rappeler la fille", "due_on": _day(3), "assignee": agent.pk})
    assert response.status_code == 302
    assert FollowUpTask.objects.get().assignee == agent


@pytest.mark.parametrize("who", [Role.VOLUNTEER, Role.PARTNER, Role.DPO, Role.ADMIN, "ended", "foreign"])
def test_a_forged_assignee_is_refused_in_french(office, who):
    client, _, colleagues, person = office
    url = reverse("casework:task_create", args=[person.pk])
    response = client.post(url, {"title": "Rappeler", "due_on": _day(3), "assignee": colleagues[who].user.pk})
    assert response.status_code == 400
    assert "Choisissez un·e collègue de votre structure qui peut agir sur ce dossier" in response.content.decode()
    assert 'value="Rappeler"' in response.content.decode()  # nothing typed is lost
    assert not FollowUpTask.objects.exists()


def test_the_service_refuses_an_assignee_who_may_not_act(office):
    _, coordinator, colleagues, person = office
    for who in (Role.VOLUNTEER, "ended", "foreign"):
        with pytest.raises(ValidationError, match="collègue de votre structure"):
            followup_task_create(
                actor=coordinator.user,
                organisation=coordinator.organisation,
                person=person,
                assignee=colleagues[who].user,
                title="X",
                due_on=timezone.localdate(),
            )
    deactivated = UserFactory(is_active=False)
    MembershipFactory(user=deactivated, organisation=coordinator.organisation, role=Role.COORDINATOR)
    assert not access.can_be_given_task(deactivated, coordinator.organisation)


def test_a_past_date_asks_to_confirm_then_saves(office):
    client, coordinator, _, person = office
    url = reverse("casework:task_create", args=[person.pk])
    data = {"title": "Relancer la CAF", "due_on": _day(-3), "assignee": coordinator.user.pk}
    asked = client.post(url, data)
    page = asked.content.decode()
    assert asked.status_code == 400 and not FollowUpTask.objects.exists()
    assert "La date choisie est passée" in page and "Je confirme cette date passée" in page
    assert "choisissez une date à venir, ou cochez « Je confirme cette date passée »" in page
    assert 'value="Relancer la CAF"' in page
    confirmed = client.post(url, {**data, "confirm_past_date": "on"})
    assert confirmed.status_code == 302
    assert FollowUpTask.objects.get().due_on == timezone.localdate() - datetime.timedelta(days=3)


def test_today_and_later_need_no_confirmation(office):
    client, coordinator, _, person = office
    url = reverse("casework:task_create", args=[person.pk])
    assert client.post(url, {"title": "A", "due_on": _day(0), "assignee": coordinator.user.pk}).status_code == 302
