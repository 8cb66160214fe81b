import pytest

from maillage.core import access
from maillage.core.enums import Role
from maillage.volunteers.demo import seed_callers
from maillage.volunteers.models import AvailabilitySlot, CallerProfile
from maillage.volunteers.selectors import callers_for
from tests.core.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def test_demo_callers_are_ready_to_take_calls_and_seeding_twice_changes_nothing():
    organisation = OrganisationFactory()
    volunteer = MembershipFactory(organisation=organisation, role=Role.VOLUNTEER).user
    manager = MembershipFactory(organisation=organisation, role=Role.REGISTER_MANAGER).user
    seed_callers(organisation=organisation, volunteer=volunteer, register_manager=manager)
    first = list(CallerProfile.objects.values_list("pk", "charter_signed_at", "languages"))
    seed_callers(organisation=organisation, volunteer=volunteer, register_manager=manager)
    assert list(CallerProfile.objects.values_list("pk", "charter_signed_at", "languages")) == first
    mine = CallerProfile.objects.get(user=volunteer)
    assert mine.languages == ["en"] and mine.slots.count() == 2 and AvailabilitySlot.objects.count() == 2
    assert access.can_take_calls(volunteer, organisation) and access.can_take_calls(manager, organisation)
    assert set(callers_for(organisation).values_list("user", flat=True)) == {volunteer.pk, manager.pk}
