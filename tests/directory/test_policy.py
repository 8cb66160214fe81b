import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from maillage.core import access
from maillage.core.enums import Role
from maillage.directory import selectors
from tests.core.factories import CommuneFactory, MembershipFactory
from tests.directory.factories import ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        pytest.param(Role.ADMIN, True, id="admin"),
        pytest.param(Role.COORDINATOR, True, id="coordinator"),
        pytest.param(Role.RECEPTION_AGENT, True, id="reception_agent"),
        pytest.param(Role.PARTNER, True, id="partner"),
        pytest.param(Role.VOLUNTEER, False, id="volunteer"),
        pytest.param(Role.DIRECTOR, False, id="director"),
        pytest.param(Role.DPO, False, id="dpo"),
        pytest.param(Role.REGISTER_MANAGER, False, id="register_manager"),
    ],
)
def test_can_change_service_by_role(role, allowed):
    membership = MembershipFactory(role=role)
    service = ServiceFactory(organisation=membership.organisation)
    assert access.can_change_service(membership.user, service) is allowed
    other = ServiceFactory()
    assert access.can_change_service(membership.user, other) is False


def test_inactive_member_cannot_change_service():
    membership = MembershipFactory(role=Role.ADMIN, is_active=False)
    assert not access.can_change_service(membership.user, ServiceFactory(organisation=membership.organisation))


def test_drafts_visible_only_to_members_of_their_organisation():
    membership = MembershipFactory(role=Role.VOLUNTEER)
    own_draft = ServiceFactory(organisation=membership.organisation, draft=True)
    other_draft = ServiceFactory(draft=True)
    published = ServiceFactory()
    visible = set(access.services_visible_to(membership.user))
    assert visible == {own_draft, published}
    assert set(access.services_visible_to(AnonymousUser())) == {published}
    assert access.can_view_service(AnonymousUser(), published)
    assert not access.can_view_service(AnonymousUser(), other_draft)
    with pytest.raises(Http404):
        access.get_service_for(membership.user, other_draft.pk)
    with pytest.raises(Http404):
        access.get_service_for(membership.user, own_draft.pk, "change")


def test_service_list_flags_stale_services():
    membership = MembershipFactory(role=Role.ADMIN)
    fresh = ServiceFactory(organisation=membership.organisation)
    stale = ServiceFactory(organisation=membership.organisation, stale=True)
    ServiceFactory()  # another organisation
    listed = selectors.service_list(actor=membership.user, organisation=membership.organisation)
    assert set(listed) == {fresh, stale}
    assert list(
        selectors.service_list(actor=membership.user, organisation=membership.organisation, filters={"stale": True})
    ) == [stale]


def test_possible_duplicates_by_name_and_commune():
    commune = CommuneFactory(code="21001")
    existing = ServiceFactory(name="Portage de repas", commune=commune)
    ServiceFactory(name="Portage de repas", commune=CommuneFactory(code="21002"))
    assert selectors.service_possible_duplicates(name="Portage des repas", commune=commune) == [existing]
    assert selectors.service_possible_duplicates(name="Club de lecture", commune=commune) == []
    assert (
        selectors.service_possible_duplicates(name="Portage de repas", commune=commune, exclude_pk=existing.pk) == []
    )


def test_service_get_query_count(django_assert_max_num_queries):
    membership = MembershipFactory(role=Role.ADMIN)
    service = ServiceFactory(organisation=membership.organisation, commune=CommuneFactory())
    with django_assert_max_num_queries(16):
        selectors.service_get(actor=membership.user, pk=service.pk)
