"""The lifecycle's table, pair by pair: every allowed change happens (state, date, event, audit
line, e-mail to the other side); every other pair, from either side, is refused with a French
message and changes nothing."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from maillage.core.enums import Role
from maillage.core.exceptions import ApplicationError
from maillage.core.models import AuditLogEntry
from maillage.referrals import lifecycle, services
from maillage.referrals.enums import ReferralOutcome, ReferralStatus
from maillage.referrals.lifecycle import Side
from maillage.referrals.models import Referral, ReferralEvent
from tests.conftest import run_task_worker
from tests.core.factories import MembershipFactory
from tests.referrals.factories import ReceivingServiceFactory, ReferralFactory

STATUSES = list(ReferralStatus)
PAIRS = [(a, b, side) for a in STATUSES for b in STATUSES for side in Side if a != b]


def _world(status):
    referral = ReferralFactory(status=status)
    sender = MembershipFactory(organisation=referral.from_organisation, role=Role.COORDINATOR).user
    Referral.objects.filter(pk=referral.pk).update(sender=sender)
    referral.refresh_from_db()
    partner = MembershipFactory(organisation=referral.to_organisation, role=Role.PARTNER).user
    return referral, {
        Side.SENDER: (sender, referral.from_organisation),
        Side.RECEIVER: (partner, referral.to_organisation),
    }


def _extra(to_status):
    if to_status == ReferralStatus.DECLINED:
        return {"note": "Hors de notre secteur."}
    if to_status == ReferralStatus.CLOSED:
        return {"outcome": ReferralOutcome.NEED_MET}
    if to_status == ReferralStatus.REDIRECTED:
        return {"redirect_to": ReceivingServiceFactory()}
    return {}


@pytest.mark.parametrize(
    ("from_status", "to_status", "side"), PAIRS, ids=[f"{a.value}-{b.value}-{s.value}" for a, b, s in PAIRS]
)
@pytest.mark.django_db
def test_transition_follows_the_table(from_status, to_status, side):
    referral, actors = _world(from_status)
    actor, organisation = actors[side]
    before_events = ReferralEvent.objects.count()
    allowed = lifecycle.TRANSITIONS.get((from_status, to_status)) == side
    if allowed:
        services.referral_transition(
            actor=actor, organisation=organisation, referral=referral, to_status=to_status, **_extra(to_status)
        )
        referral.refresh_from_db()
        assert referral.status == to_status
        assert getattr(referral, lifecycle.TIMESTAMP_FIELD[to_status]) is not None
        event = ReferralEvent.objects.filter(referral=referral).latest("pk")
        assert (event.from_status, event.to_status, event.actor, event.organisation) == (
            from_status,
            to_status,
            actor,
            organisation,
        )
    else:
        with pytest.raises(ApplicationError) as refused:
            services.referral_transition(
                actor=actor, organisation=organisation, referral=referral, to_status=to_status, **_extra(to_status)
            )
        assert "orientation" in refused.value.message
        referral.refresh_from_db()
        assert referral.status == from_status
        assert ReferralEvent.objects.count() == before_events


def test_every_status_is_reachable_and_final_states_have_no_way_out():
    reached = {ReferralStatus.DRAFT} | {to for (_frm, to) in lifecycle.TRANSITIONS}
    assert reached == set(ReferralStatus)
    for final in (ReferralStatus.DECLINED, ReferralStatus.REDIRECTED, ReferralStatus.CLOSED, ReferralStatus.CANCELLED):
        assert not [pair for pair in lifecycle.TRANSITIONS if pair[0] == final]


def test_refusal_messages_are_french_sentences():
    assert lifecycle.refusal_message("closed", "accepted", Side.RECEIVER) == (
        "Cette orientation a été clôturée : on ne peut pas l'accepter."
    )
    assert lifecycle.refusal_message("received", "accepted", Side.SENDER) == (
        "Seul le partenaire à qui l'orientation est adressée peut accepter cette orientation."
    )
    assert lifecycle.refusal_message("sent", "cancelled", Side.RECEIVER) == (
        "Seule la structure qui a orienté la personne peut annuler cette orientation."
    )
    assert lifecycle.refusal_message("declined", "closed", Side.RECEIVER) == (
        "Cette orientation a été refusée : on ne peut pas la clôturer."
    )


@pytest.mark.django_db
def test_decline_without_reason_is_refused_and_changes_nothing():
    referral, actors = _world(ReferralStatus.RECEIVED)
    actor, organisation = actors[Side.RECEIVER]
    with pytest.raises(ValidationError) as refused:
        services.referral_transition(actor=actor, organisation=organisation, referral=referral, to_status="declined")
    assert "motif du refus" in str(refused.value)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED


@pytest.mark.django_db
def test_close_without_outcome_is_refused():
    referral, actors = _world(ReferralStatus.IN_PROGRESS)
    actor, organisation = actors[Side.RECEIVER]
    with pytest.raises(ValidationError):
        services.referral_transition(actor=actor, organisation=organisation, referral=referral, to_status="closed")
    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == (ReferralStatus.IN_PROGRESS, "")


@pytest.mark.django_db
def test_a_third_organisation_cannot_move_a_referral():
    referral, _actors = _world(ReferralStatus.RECEIVED)
    stranger = MembershipFactory(role=Role.PARTNER)
    with pytest.raises(ApplicationError, match="ne concerne pas votre structure"):
        services.referral_transition(
            actor=stranger.user, organisation=stranger.organisation, referral=referral, to_status="accepted"
        )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED


@pytest.mark.django_db
def test_a_volunteer_of_the_partner_cannot_answer():
    referral, _actors = _world(ReferralStatus.RECEIVED)
    volunteer = MembershipFactory(organisation=referral.to_organisation, role=Role.VOLUNTEER).user
    with pytest.raises(ApplicationError):
        services.referral_transition(
            actor=volunteer, organisation=referral.to_organisation, referral=referral, to_status="accepted"
        )


@pytest.mark.django_db
def test_sending_needs_a_consent_in_force():
    referral, actors = _world(ReferralStatus.DRAFT)
    referral.consent.withdrawn_at = referral.created_at
    referral.consent.save()
    actor, organisation = actors[Side.SENDER]
    with pytest.raises(ApplicationError, match="consentement"):
        services.referral_transition(actor=actor, organisation=organisation, referral=referral, to_status="sent")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DRAFT


@pytest.mark.django_db
def test_each_change_is_in_the_audit_trail():
    referral, actors = _world(ReferralStatus.RECEIVED)
    actor, organisation = actors[Side.RECEIVER]
    services.referral_transition(actor=actor, organisation=organisation, referral=referral, to_status="accepted")
    lines = AuditLogEntry.objects.filter(content_type__model="referral", object_pk=str(referral.pk))
    assert lines.filter(action=AuditLogEntry.Action.UPDATE).exists()
    assert AuditLogEntry.objects.filter(content_type__model="referralevent").exists()


@pytest.mark.django_db
def test_answers_notify_the_sender_without_personal_data():
    referral, actors = _world(ReferralStatus.RECEIVED)
    actor, organisation = actors[Side.RECEIVER]
    services.referral_transition(
        actor=actor, organisation=organisation, referral=referral, to_status="declined", note="Liste d'attente pleine"
    )
    run_task_worker()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [referral.sender.email]
    assert "refusée" in message.subject
    text = message.subject + message.body
    for secret in (referral.person.last_name, referral.person.first_names, referral.reason, "Liste d'attente"):
        assert secret not in text


@pytest.mark.django_db
def test_cancelling_notifies_the_partner_inbox_members_only():
    referral, actors = _world(ReferralStatus.ACCEPTED)
    MembershipFactory(organisation=referral.to_organisation, role=Role.VOLUNTEER, user__email="benevole@p.fr")
    MembershipFactory(
        organisation=referral.to_organisation, role=Role.COORDINATOR, is_active=False, user__email="ancien@p.fr"
    )
    actor, organisation = actors[Side.SENDER]
    services.referral_transition(actor=actor, organisation=organisation, referral=referral, to_status="cancelled")
    run_task_worker()
    assert [m.to for m in mail.outbox] == [[actors[Side.RECEIVER][0].email]]
    assert referral.person.last_name not in mail.outbox[0].body


@pytest.mark.django_db
def test_redirection_ends_the_referral_and_prepares_a_draft_for_the_sender():
    referral, actors = _world(ReferralStatus.RECEIVED)
    actor, organisation = actors[Side.RECEIVER]
    elsewhere = ReceivingServiceFactory()
    services.referral_transition(
        actor=actor, organisation=organisation, referral=referral, to_status="redirected", redirect_to=elsewhere
    )
    referral.refresh_from_db()
    new = referral.redirected_to
    assert referral.status == ReferralStatus.REDIRECTED
    assert (new.status, new.to_service, new.to_organisation) == (
        ReferralStatus.DRAFT,
        elsewhere,
        elsewhere.organisation,
    )
    assert new.consent is None  # another partner: the person is asked again
    assert (new.person, new.reason, new.from_organisation) == (
        referral.person,
        referral.reason,
        referral.from_organisation,
    )


@pytest.mark.django_db
def test_redirection_within_the_partner_keeps_the_consent():
    referral, actors = _world(ReferralStatus.RECEIVED)
    actor, organisation = actors[Side.RECEIVER]
    sibling = ReceivingServiceFactory(organisation=referral.to_organisation)
    services.referral_transition(
        actor=actor, organisation=organisation, referral=referral, to_status="redirected", redirect_to=sibling
    )
    referral.refresh_from_db()
    assert referral.redirected_to.consent == referral.consent


@pytest.mark.django_db
def test_redirection_to_the_same_service_is_refused():
    referral, actors = _world(ReferralStatus.RECEIVED)
    actor, organisation = actors[Side.RECEIVER]
    with pytest.raises(ValidationError):
        services.referral_transition(
            actor=actor,
            organisation=organisation,
            referral=referral,
            to_status="redirected",
            redirect_to=referral.to_service,
        )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED
    assert not Referral.objects.filter(redirected_from=referral).exists()


@pytest.mark.django_db
def test_sending_the_redirection_draft_records_the_new_consent():
    referral, actors = _world(ReferralStatus.RECEIVED)
    partner, partner_org = actors[Side.RECEIVER]
    services.referral_transition(
        actor=partner,
        organisation=partner_org,
        referral=referral,
        to_status="redirected",
        redirect_to=ReceivingServiceFactory(),
    )
    draft = Referral.objects.get(redirected_from=referral)
    sender, sender_org = actors[Side.SENDER]
    with pytest.raises(ValidationError):
        services.referral_send_draft(actor=sender, organisation=sender_org, referral=draft, consent_given=False)
    draft.refresh_from_db()
    assert draft.status == ReferralStatus.DRAFT
    services.referral_send_draft(actor=sender, organisation=sender_org, referral=draft, consent_given=True)
    draft.refresh_from_db()
    assert draft.status == ReferralStatus.SENT
    assert (draft.consent.scope, draft.consent.partner) == ("referral", draft.to_organisation)
