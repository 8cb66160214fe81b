"""Attacks first: who must never take calls or keep the callers' list (issue 13, point 6)."""

from unittest import mock

import pytest
from django.urls import reverse

from maillage.core import access
from maillage.core.enums import Role
from maillage.volunteers.models import CallerProfile
from maillage.volunteers.selectors import callers_for
from tests.conftest import login_verified
from tests.core.factories import MembershipFactory, OrganisationFactory
from tests.volunteers.factories import AvailabilitySlotFactory, CallerProfileFactory, make_caller

pytestmark = pytest.mark.django_db


def _unverified(user):
    user.is_verified = lambda: False
    return user


# --- Another organisation's register manager --------------------------------------------------------


def test_other_organisations_register_manager_cannot_manage_or_see_our_callers(client):
    ours = make_caller()
    theirs = MembershipFactory(role=Role.REGISTER_MANAGER)
    assert not access.can_manage_callers(theirs.user, ours.organisation)
    assert not access.caller_profiles_visible_to(theirs.user, ours.organisation).exists()
    login_verified(client, theirs.user)
    response = client.post(reverse("volunteers:caller_deactivate", args=[ours.pk]))
    assert response.status_code == 404
    ours.refresh_from_db()
    assert ours.is_active
    body = client.get(reverse("volunteers:caller_list")).content.decode()
    assert ours.user.get_full_name() not in body


def test_register_manager_cannot_add_a_member_of_another_organisation(client):
    manager = MembershipFactory(role=Role.REGISTER_MANAGER)
    stranger = MembershipFactory(role=Role.VOLUNTEER)
    login_verified(client, manager.user)
    response = client.post(reverse("volunteers:caller_list"), {"membership": stranger.pk})
    assert response.status_code == 200
    assert "« Membre » : cette personne ne peut pas être ajoutée" in response.content.decode()
    assert not CallerProfile.objects.exists()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DIRECTOR, Role.COORDINATOR, Role.VOLUNTEER, Role.DPO])
def test_only_the_register_manager_keeps_the_callers_list(role):
    membership = MembershipFactory(role=role)
    assert not access.can_manage_callers(membership.user, membership.organisation)


# --- An ended membership ---------------------------------------------------------------------------


def test_volunteer_whose_membership_ended_cannot_take_calls_nor_open_the_pages(client):
    profile = make_caller()
    membership = profile.user.memberships.get()
    assert access.can_take_calls(profile.user, profile.organisation)
    membership.is_active = False
    membership.save()
    assert not access.can_take_calls(profile.user, profile.organisation)
    assert profile not in callers_for(profile.organisation)
    login_verified(client, profile.user)
    assert client.get(reverse("volunteers:charter")).status_code in (302, 404)
    assert client.get(reverse("volunteers:availability")).status_code in (302, 404)


def test_deactivated_account_or_organisation_takes_no_call():
    profile = make_caller()
    profile.organisation.is_active = False
    profile.organisation.save()
    assert not access.can_take_calls(profile.user, profile.organisation)
    assert not callers_for(profile.organisation).exists()
    other = make_caller()
    other.user.is_active = False
    other.user.save()
    assert not access.can_take_calls(other.user, other.organisation)
    assert not callers_for(other.organisation).exists()


# --- A volunteer of another organisation -------------------------------------------------------------


def test_volunteer_of_another_organisation_cannot_take_our_calls():
    ours = OrganisationFactory()
    theirs = make_caller()  # a volunteer, charter signed, in their own organisation
    # Even a profile in ours (left from an old membership, or written by hand) gives nothing.
    CallerProfileFactory(user=theirs.user, organisation=ours, signed=True)
    assert not access.can_take_calls(theirs.user, ours)
    assert not callers_for(ours).exists()
    assert access.can_take_calls(theirs.user, theirs.organisation)


def test_volunteer_cannot_delete_another_callers_slot(client):
    mine = make_caller()
    colleague = make_caller(organisation=mine.organisation)
    slot = AvailabilitySlotFactory(profile=colleague)
    login_verified(client, mine.user)
    assert client.post(reverse("volunteers:slot_delete", args=[slot.pk])).status_code == 404
    assert colleague.slots.count() == 1


# --- A session without its second factor ------------------------------------------------------------


def test_session_without_second_factor_takes_no_call():
    profile = make_caller()
    assert not access.can_take_calls(_unverified(profile.user), profile.organisation)


def test_session_without_second_factor_reaches_no_caller_page(client):
    profile = make_caller()
    client.force_login(profile.user, backend="maillage.core.auth_backends.EmailBackend")
    for name in ("volunteers:charter", "volunteers:availability", "volunteers:caller_list"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("core:otp_setup"))


# --- What taking calls needs ----------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.REGISTER_MANAGER, Role.RECEPTION_AGENT, Role.COORDINATOR])
def test_caller_roles_take_calls_with_an_active_profile_and_the_charter_signed(role):
    profile = make_caller(role=role)
    assert access.can_take_calls(profile.user, profile.organisation)


@pytest.mark.parametrize("role", [Role.PARTNER, Role.DIRECTOR, Role.DPO, Role.ADMIN])
def test_other_roles_never_take_calls_even_with_a_profile(role):
    profile = make_caller(role=role)
    assert not access.can_take_calls(profile.user, profile.organisation)
    assert not callers_for(profile.organisation).exists()


def test_no_call_without_a_profile_an_active_one_or_the_charter_signed():
    volunteer = MembershipFactory(role=Role.VOLUNTEER)
    assert not access.can_take_calls(volunteer.user, volunteer.organisation)
    unsigned = make_caller(signed=False)
    assert not access.can_take_calls(unsigned.user, unsigned.organisation)
    inactive = make_caller(is_active=False)
    assert not access.can_take_calls(inactive.user, inactive.organisation)


def test_a_new_charter_version_means_signing_again():
    profile = make_caller()
    with mock.patch("maillage.volunteers.charter.VERSION", "2099-01"):
        assert not access.can_take_calls(profile.user, profile.organisation)
        assert not callers_for(profile.organisation).exists()
    old = make_caller(signed=False, signed_old=True)
    assert not access.can_take_calls(old.user, old.organisation)
