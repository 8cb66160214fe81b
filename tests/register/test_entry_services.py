"""The entry services added for the manager's pages and the public forms."""

import pytest
from django.core.exceptions import ValidationError

from maillage.core.enums import Role
from maillage.core.exceptions import ApplicationError
from maillage.register.enums import EntrySource, EntryStatus
from maillage.register.services import entries as services
from tests.core.factories import MembershipFactory
from tests.people.factories import PersonFactory, RelationFactory
from tests.register.factories import RegisterEntryFactory, register_manager

pytestmark = pytest.mark.django_db


def test_entry_update_by_the_manager_changes_only_the_editable_fields():
    entry = RegisterEntryFactory(active=True)
    manager = register_manager(entry.organisation).user
    services.entry_update(
        actor=manager,
        organisation=entry.organisation,
        entry=entry,
        data={"home_access": "Gardien", "source": EntrySource.PARTNER, "status": EntryStatus.REMOVED},
    )
    entry.refresh_from_db()
    assert entry.home_access == "Gardien"
    assert entry.source == EntrySource.SELF and entry.status == EntryStatus.ACTIVE


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.RECEPTION_AGENT, Role.DIRECTOR, Role.VOLUNTEER])
def test_entry_update_refused_to_other_roles(role):
    entry = RegisterEntryFactory(active=True)
    user = MembershipFactory(organisation=entry.organisation, role=role).user
    with pytest.raises(ApplicationError):
        services.entry_update(actor=user, organisation=entry.organisation, entry=entry, data={"home_access": "x"})


def test_entry_update_refused_on_a_removed_entry():
    entry = RegisterEntryFactory(removed=True)
    manager = register_manager(entry.organisation).user
    with pytest.raises(ApplicationError):
        services.entry_update(actor=manager, organisation=entry.organisation, entry=entry, data={})


def test_known_by_callers_must_take_calls_for_the_organisation():
    entry = RegisterEntryFactory(active=True)
    manager = register_manager(entry.organisation).user
    director = MembershipFactory(organisation=entry.organisation, role=Role.DIRECTOR).user
    with pytest.raises(ValidationError) as error:
        services.entry_update(
            actor=manager, organisation=entry.organisation, entry=entry, data={}, known_by_callers=[director]
        )
    assert "known_by_callers" in error.value.message_dict


def test_register_refuses_a_relation_of_someone_else():
    person = PersonFactory()
    manager = register_manager(person.organisation).user
    with pytest.raises(ValidationError) as error:
        services.entry_register(
            actor=manager,
            organisation=person.organisation,
            person=person,
            data={
                "source": "third_party",
                "requester_name": "X",
                "legal_category": "aged_65",
                "known_by": RelationFactory(),
            },
        )
    assert "known_by" in error.value.message_dict


def test_own_request_held_for_check_stays_pending_with_its_wording():
    person = PersonFactory()
    entry = services.entry_register(
        actor=None,
        organisation=person.organisation,
        person=person,
        data={"source": "self", "legal_category": "aged_65", "possible_duplicate": True},
        consent_channel="online",
        consent_wording="Le texte montré",
        hold_for_check=True,
    )
    assert entry.status == EntryStatus.PENDING_CONSENT and entry.consent is None
    assert entry.consent_wording == "Le texte montré"


def test_active_entry_needs_a_legal_category():
    person = PersonFactory()
    with pytest.raises(ValidationError) as error:
        services.entry_register(
            actor=None,
            organisation=person.organisation,
            person=person,
            data={"source": "self", "legal_category": ""},
            consent_channel="online",
        )
    assert "legal_category" in error.value.message_dict
