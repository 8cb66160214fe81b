"""A first pass over the register's services: a self registration is active, a campaign built from
it is dispatched to its caller, a call not reached three times escalates."""

import pytest
from django.utils import timezone

from maillage.core.enums import Role
from maillage.people.enums import ConsentChannel
from maillage.register.enums import CallStatus, EntrySource, EntryStatus, LegalCategory, Outcome
from maillage.register.models import Escalation
from maillage.register.services import calls, campaigns, entries
from tests.core.factories import MembershipFactory
from tests.people.factories import PersonFactory
from tests.volunteers.factories import caller

pytestmark = pytest.mark.django_db


def _entry(manager, organisation, source=EntrySource.SELF):
    person = PersonFactory(organisation=organisation)
    return entries.entry_register(
        actor=manager,
        organisation=organisation,
        person=person,
        data={"source": source, "legal_category": LegalCategory.AGED_65},
        consent_channel=ConsentChannel.ORAL,
    )


def test_self_registration_is_active_and_a_third_party_one_waits_for_consent():
    manager = MembershipFactory(role=Role.REGISTER_MANAGER).user
    organisation = manager.memberships.get().organisation
    assert _entry(manager, organisation).status == EntryStatus.ACTIVE
    assert _entry(manager, organisation, EntrySource.THIRD_PARTY).status == EntryStatus.PENDING_CONSENT


def test_three_tries_not_reached_make_the_call_unreachable_and_escalate():
    manager = caller(role=Role.REGISTER_MANAGER)
    organisation = manager.memberships.get().organisation
    entry = _entry(manager, organisation)
    campaign = campaigns.campaign_create(actor=manager, organisation=organisation, title="Canicule", callers=[manager])
    campaigns.campaign_open(actor=manager, campaign=campaign)
    call = campaign.calls.get()
    assert call.assigned_to == manager and call.entry == entry
    now = timezone.now()
    for attempt in range(3):
        call = calls.call_record_outcome(
            actor=manager, call=call, outcome=Outcome.NOT_REACHED, now=now + timezone.timedelta(hours=5 * attempt)
        )
    assert call.status == CallStatus.DONE and call.outcome == Outcome.UNREACHABLE
    assert Escalation.objects.filter(call=call, handled_at__isnull=True).count() == 1


def test_merging_two_files_each_on_the_register_is_refused_and_names_the_register():
    from maillage.core.exceptions import ApplicationError
    from maillage.people.services import person_merge
    from maillage.register.models import RegisterEntry

    membership = MembershipFactory(role=Role.REGISTER_MANAGER)
    manager, organisation = membership.user, membership.organisation
    kept, duplicate = _entry(manager, organisation).person, _entry(manager, organisation).person
    with pytest.raises(ApplicationError, match="inscription au registre"):
        person_merge(actor=manager, organisation=organisation, kept=kept, duplicate=duplicate)
    assert RegisterEntry.objects.filter(person=duplicate).count() == 1
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id is None
