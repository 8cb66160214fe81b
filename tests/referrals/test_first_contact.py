"""The accompanied first contact (issue 14, point 4): the services' rules table by table, the
pages of both sides, and the attacks first — another organisation, an ended referral, a volunteer,
a withdrawn consent — refused and nothing written."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from maillage.casework.selectors.timeline import timeline_for
from maillage.core.access import person_grant
from maillage.core.enums import Role
from maillage.core.exceptions import ApplicationError
from maillage.core.models import AuditLogEntry
from maillage.referrals import first_contact
from maillage.referrals.enums import FirstContactResult as R
from maillage.referrals.enums import ReferralStatus
from maillage.referrals.models import FirstContact, FirstContactEvent, Referral
from tests.conftest import login_verified
from tests.core.factories import MembershipFactory
from tests.referrals.factories import ReferralFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()
TOMORROW = NOW + datetime.timedelta(days=1)
YESTERDAY = NOW - datetime.timedelta(days=1)


def _world(status=ReferralStatus.ACCEPTED):
    referral = ReferralFactory(status=status)
    sender = MembershipFactory(organisation=referral.from_organisation, role=Role.COORDINATOR).user
    Referral.objects.filter(pk=referral.pk).update(sender=sender)
    referral.refresh_from_db()
    partner = MembershipFactory(organisation=referral.to_organisation, role=Role.PARTNER).user
    return referral, {"sender": (sender, referral.from_organisation), "partner": (partner, referral.to_organisation)}


# --- The plan -------------------------------------------------------------------------------------------

PLANS = [
    # (booked, at, place, error field or None)
    pytest.param(True, TOMORROW, "Dans les locaux du CLIC", None, id="rdv-a-venir"),
    pytest.param(False, None, "", None, id="sans-rdv"),
    pytest.param(True, None, "", "appointment_at", id="rdv-sans-date"),
    pytest.param(True, YESTERDAY, "", "appointment_at", id="rdv-date-passee"),
    pytest.param(True, NOW - datetime.timedelta(minutes=1), "", "appointment_at", id="rdv-il-y-a-une-minute"),
    pytest.param(False, TOMORROW, "", "appointment_booked", id="date-sans-rdv"),
    pytest.param(False, None, "Par téléphone", "appointment_booked", id="lieu-sans-rdv"),
]


@pytest.mark.parametrize("side", ["sender", "partner"])
@pytest.mark.parametrize(("booked", "at", "place", "error"), PLANS)
def test_plan_rules(side, booked, at, place, error):
    referral, sides = _world()
    actor, organisation = sides[side]
    kwargs = {
        "actor": actor,
        "organisation": organisation,
        "referral": referral,
        "appointment_booked": booked,
        "appointment_at": at,
        "appointment_place": place,
        "accompanied_by": "Une agente du CCAS",
        "now": NOW,
    }
    if error:
        with pytest.raises(ValidationError) as exc:
            first_contact.first_contact_plan(**kwargs)
        assert error in exc.value.message_dict
        assert not FirstContact.objects.filter(referral=referral).exists()
        assert not FirstContactEvent.objects.filter(referral=referral).exists()
        return
    contact = first_contact.first_contact_plan(**kwargs)
    assert contact.appointment_booked is booked
    assert contact.appointment_at == at
    event = FirstContactEvent.objects.get(referral=referral)
    assert event.organisation == organisation and event.actor == actor
    assert "accompagnée par : Une agente du CCAS" in event.summary
    assert ("Rendez-vous pris" in event.summary) is booked
    assert AuditLogEntry.objects.filter(
        content_type__model="firstcontact", object_pk=str(referral.pk), action=AuditLogEntry.Action.CREATE
    ).exists()


# --- The result -----------------------------------------------------------------------------------------

RESULTS = [
    # (appointment at, result, reason, error field or None)
    pytest.param(YESTERDAY, R.HAPPENED, "", None, id="a-eu-lieu"),
    pytest.param(YESTERDAY, R.NOT_HAPPENED, "La personne était hospitalisée.", None, id="pas-eu-lieu-motif"),
    pytest.param(YESTERDAY, R.NOT_HAPPENED, "  ", "reason", id="pas-eu-lieu-sans-motif"),
    pytest.param(YESTERDAY, R.UNKNOWN, "", None, id="on-ne-sait-pas"),
    pytest.param(TOMORROW, R.HAPPENED, "", "result", id="a-venir-eu-lieu"),
    pytest.param(TOMORROW, R.NOT_HAPPENED, "Annulé", "result", id="a-venir-pas-eu-lieu"),
    pytest.param(TOMORROW, R.UNKNOWN, "", None, id="a-venir-on-ne-sait-pas"),
    pytest.param(YESTERDAY, "peut-etre", "", "result", id="reponse-inconnue"),
]


@pytest.mark.parametrize(("at", "result", "reason", "error"), RESULTS)
def test_result_rules(at, result, reason, error):
    referral, sides = _world()
    actor, organisation = sides["partner"]
    FirstContact.objects.create(referral=referral, appointment_booked=True, appointment_at=at)
    call = {"actor": actor, "organisation": organisation, "referral": referral, "result": result, "reason": reason}
    if error:
        with pytest.raises(ValidationError) as exc:
            first_contact.first_contact_result(**call, now=NOW)
        assert error in exc.value.message_dict
        assert FirstContact.objects.get(referral=referral).result == ""
        assert not FirstContactEvent.objects.exists()
        return
    contact = first_contact.first_contact_result(**call, now=NOW)
    assert contact.result == result
    assert contact.result_reason == (reason.strip() if result == R.NOT_HAPPENED else "")
    assert not contact.to_confirm(NOW)
    assert FirstContactEvent.objects.filter(referral=referral).count() == 1


def test_result_needs_a_plan_first():
    referral, sides = _world()
    actor, organisation = sides["sender"]
    with pytest.raises(ApplicationError, match="Notez d'abord"):
        first_contact.first_contact_result(
            actor=actor, organisation=organisation, referral=referral, result=R.HAPPENED
        )


def test_a_new_plan_clears_the_previous_result():
    referral, sides = _world()
    actor, organisation = sides["sender"]
    FirstContact.objects.create(
        referral=referral, appointment_booked=True, appointment_at=YESTERDAY, result=R.NOT_HAPPENED, result_reason="x"
    )
    contact = first_contact.first_contact_plan(
        actor=actor, organisation=organisation, referral=referral, appointment_booked=True, appointment_at=TOMORROW
    )
    assert contact.result == "" and contact.result_reason == ""


def test_a_passed_appointment_without_answer_is_to_confirm():
    referral, _sides = _world()
    contact = FirstContact.objects.create(referral=referral, appointment_booked=True, appointment_at=TOMORROW)
    assert not contact.to_confirm(NOW)
    assert contact.to_confirm(TOMORROW + datetime.timedelta(minutes=1))
    contact.result = R.UNKNOWN
    assert not contact.to_confirm(TOMORROW + datetime.timedelta(minutes=1))


# --- Attacks on the services ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status", [ReferralStatus.CLOSED, ReferralStatus.CANCELLED, ReferralStatus.DECLINED, ReferralStatus.DRAFT]
)
@pytest.mark.parametrize("side", ["sender", "partner"])
def test_an_ended_referral_refuses_the_first_contact(status, side):
    referral, sides = _world(status)
    actor, organisation = sides[side]
    with pytest.raises(ApplicationError, match="premier contact"):
        first_contact.first_contact_plan(
            actor=actor, organisation=organisation, referral=referral, appointment_booked=False
        )
    assert not FirstContact.objects.exists() and not FirstContactEvent.objects.exists()


def test_another_organisation_cannot_record():
    referral, _sides = _world()
    stranger = MembershipFactory(role=Role.COORDINATOR)
    with pytest.raises(ApplicationError, match="ne concerne pas votre structure"):
        first_contact.first_contact_plan(
            actor=stranger.user, organisation=stranger.organisation, referral=referral, appointment_booked=False
        )
    assert not FirstContact.objects.exists()


def test_a_volunteer_of_the_partner_cannot_record():
    referral, _sides = _world()
    volunteer = MembershipFactory(organisation=referral.to_organisation, role=Role.VOLUNTEER)
    with pytest.raises(ApplicationError):
        first_contact.first_contact_plan(
            actor=volunteer.user, organisation=referral.to_organisation, referral=referral, appointment_booked=False
        )
    assert not FirstContact.objects.exists()


# --- Pages ----------------------------------------------------------------------------------------------


def _url(referral, side):
    name = "referrals:sent_first_contact" if side == "sender" else "referrals:received_first_contact"
    return reverse(name, args=[referral.pk])


def _plan_post(**extra):
    return {"step": "plan", "plan-appointment_booked": "on", "plan-accompanied_by": "Sa fille", **extra}


def test_other_organisation_gets_404_on_both_pages(client):
    referral, _sides = _world()
    stranger = MembershipFactory(role=Role.COORDINATOR)
    login_verified(client, stranger.user)
    for side in ("sender", "partner"):
        assert client.get(_url(referral, side)).status_code == 404
        assert client.post(_url(referral, side), _plan_post()).status_code == 404
    assert not FirstContact.objects.exists()


@pytest.mark.parametrize("side", ["sender", "partner"])
def test_ended_referral_page_is_404(client, side):
    referral, sides = _world(ReferralStatus.CLOSED)
    login_verified(client, sides[side][0])
    assert client.get(_url(referral, side)).status_code == 404
    assert client.post(_url(referral, side), _plan_post()).status_code == 404
    assert not FirstContact.objects.exists()


def test_withdrawn_consent_closes_the_partner_page(client):
    referral, sides = _world()
    referral.consent.withdrawn_at = timezone.now()
    referral.consent.save()
    login_verified(client, sides["partner"][0])
    assert client.post(_url(referral, "partner"), _plan_post()).status_code == 404


def test_partner_records_the_plan_and_the_sender_sees_it(client):
    referral, sides = _world()
    login_verified(client, sides["partner"][0])
    when = timezone.localtime(NOW + datetime.timedelta(days=3)).replace(hour=10, minute=30, second=0, microsecond=0)
    response = client.post(
        _url(referral, "partner"),
        _plan_post(**{"plan-appointment_at": when.strftime("%Y-%m-%dT%H:%M"), "plan-appointment_place": "Au CLIC"}),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:received_detail", args=[referral.pk])
    contact = FirstContact.objects.get(referral=referral)
    assert contact.appointment_at == when and contact.accompanied_by == "Sa fille"
    # The opening is logged with its path.
    assert AuditLogEntry.objects.filter(path=_url(referral, "partner")).exists()
    client.logout()
    login_verified(client, sides["sender"][0])
    body = client.get(reverse("referrals:sent_detail", args=[referral.pk])).content.decode()
    assert "Premier contact" in body and "Au CLIC" in body and "Sa fille" in body
    assert "À confirmer" not in body


def test_a_past_date_is_refused_on_the_page(client):
    referral, sides = _world()
    login_verified(client, sides["sender"][0])
    past = timezone.localtime(YESTERDAY).strftime("%Y-%m-%dT%H:%M")
    response = client.post(_url(referral, "sender"), _plan_post(**{"plan-appointment_at": past}))
    assert response.status_code == 400
    assert "Cette date est passée" in response.content.decode()
    assert not FirstContact.objects.exists()


def test_sender_page_shows_to_confirm_then_records_the_result(client):
    referral, sides = _world()
    FirstContact.objects.create(
        referral=referral, appointment_booked=True, appointment_at=YESTERDAY, accompanied_by="Personne"
    )
    login_verified(client, sides["sender"][0])
    detail = reverse("referrals:sent_detail", args=[referral.pk])
    assert "À confirmer" in client.get(detail).content.decode()
    response = client.post(
        _url(referral, "sender"), {"step": "result", "result-result": R.NOT_HAPPENED, "result-reason": ""}
    )
    assert response.status_code == 400
    assert "Indiquez pourquoi" in response.content.decode()
    response = client.post(
        _url(referral, "sender"),
        {"step": "result", "result-result": R.NOT_HAPPENED, "result-reason": "Elle était souffrante."},
    )
    assert response.status_code == 302
    body = client.get(detail).content.decode()
    assert "À confirmer" not in body
    assert (
        "n&#x27;a pas eu lieu : Elle était souffrante." in body or "n'a pas eu lieu : Elle était souffrante." in body
    )


def test_each_change_is_on_the_persons_timeline():
    referral, sides = _world()
    actor, organisation = sides["partner"]
    first_contact.first_contact_plan(
        actor=actor,
        organisation=organisation,
        referral=referral,
        appointment_booked=True,
        appointment_at=TOMORROW,
        accompanied_by="Une agente du CCAS",
    )
    sender, sender_org = sides["sender"]
    grant = person_grant(sender, sender_org, referral.person)
    events = [e for e in timeline_for(grant=grant) if e.key.startswith("referral-first-contact-")]
    assert len(events) == 1
    assert events[0].title == f"Premier contact avec {referral.to_service.name}"
    assert events[0].author == referral.to_organisation.name
    assert "Une agente du CCAS" in events[0].summary
