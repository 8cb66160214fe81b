"""The referral pages, the partner's grant attacked first: another organisation, an ended membership,
a withdrawn consent, a volunteer, no second factor, a referral that has ended — all answer 404 (or
the second factor's page) and write nothing."""

import datetime
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.core.enums import Role
from maillage.core.models import AuditLogEntry
from maillage.referrals.enums import ReferralStatus
from maillage.referrals.models import Referral
from tests.casework.factories_assessments import NoteFactory
from tests.conftest import login_verified, run_task_worker
from tests.core.factories import MembershipFactory
from tests.directory.factories import ServiceFactory
from tests.people.factories import PersonAddressFactory, PersonFactory, PersonPhoneFactory
from tests.referrals.factories import ReceivingServiceFactory, ReferralFactory
from tests.referrals.test_services import document_of

pytestmark = pytest.mark.django_db

SECRET_NOTE = "note-confidentielle-du-ccas"


@pytest.fixture
def referral():
    """A « contact » referral: the partner reads the name and the phone, not the address."""
    person = PersonFactory(first_names="Lucienne", last_name="Armorique", birth_date=datetime.date(1941, 10, 9))
    PersonPhoneFactory(person=person, number="0299000000")
    PersonAddressFactory(person=person, line="12 rue des Secrets")
    NoteFactory(person=person, visibility="care_team", body=SECRET_NOTE)
    return ReferralFactory(person=person, from_organisation=person.organisation, referral_type="contact")


def _partner(client, referral, role=Role.PARTNER, **kwargs):
    membership = MembershipFactory(organisation=referral.to_organisation, role=role, **kwargs)
    return login_verified(client, membership.user), membership


def _detail(referral):
    return reverse("referrals:received_detail", args=[referral.pk])


# --- Attacks first -------------------------------------------------------------------------------------


def test_partner_of_another_organisation_gets_404(client, referral):
    stranger = MembershipFactory(role=Role.PARTNER)
    login_verified(client, stranger.user)
    assert client.get(_detail(referral)).status_code == 404
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


def test_ended_membership_gets_404(client, referral):
    _partner(client, referral, is_active=False)
    assert client.get(_detail(referral)).status_code == 404


def test_withdrawn_consent_ends_the_grant(client, referral):
    _partner(client, referral)
    referral.consent.withdrawn_at = timezone.now()
    referral.consent.save()
    assert client.get(_detail(referral)).status_code == 404
    assert client.get(reverse("referrals:respond", args=[referral.pk, "accepter"])).status_code == 404


def test_volunteer_of_the_partner_gets_404(client, referral):
    _partner(client, referral, role=Role.VOLUNTEER)
    assert client.get(_detail(referral)).status_code == 404
    assert client.get(reverse("referrals:inbox")).status_code == 404


def test_no_second_factor_reaches_nothing(client, referral):
    membership = MembershipFactory(organisation=referral.to_organisation, role=Role.PARTNER)
    client.force_login(membership.user, backend="maillage.core.auth_backends.EmailBackend")
    response = client.get(_detail(referral))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:otp_setup"))


@pytest.mark.parametrize(
    "status", [ReferralStatus.CLOSED, ReferralStatus.DECLINED, ReferralStatus.REDIRECTED, ReferralStatus.CANCELLED]
)
def test_an_ended_referral_is_closed_to_the_partner(client, referral, status):
    Referral.objects.filter(pk=referral.pk).update(status=status)
    _partner(client, referral)
    assert client.get(_detail(referral)).status_code == 404
    inbox = client.get(reverse("referrals:inbox") + "?etat=terminees")
    assert inbox.status_code == 200
    assert "ARMORIQUE" not in inbox.content.decode()
    assert f"Orientation n° {referral.pk}" in inbox.content.decode()


def test_a_draft_is_not_in_the_partners_inbox(client, referral):
    Referral.objects.filter(pk=referral.pk).update(status=ReferralStatus.DRAFT)
    _partner(client, referral)
    assert client.get(_detail(referral)).status_code == 404
    assert "ARMORIQUE" not in client.get(reverse("referrals:inbox")).content.decode()


def test_partner_cannot_open_a_document_not_shared(client, referral):
    other_document = document_of(referral.person, title="Document non partagé")
    _partner(client, referral)
    url = reverse("referrals:shared_document", args=[referral.pk, other_document.pk])
    assert client.get(url).status_code == 404


# --- What the partner reads ---------------------------------------------------------------------------


def test_partner_reads_only_the_shared_fields_and_the_opening_is_logged(client, referral):
    _client, membership = _partner(client, referral)
    body = client.get(_detail(referral)).content.decode()
    assert "Lucienne ARMORIQUE" in body
    assert "02 99 00 00 00" in body
    for hidden in ("12 rue des Secrets", SECRET_NOTE, "1941", "09/10"):
        assert hidden not in body
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED  # opening it is receiving it
    line = AuditLogEntry.objects.filter(action=AuditLogEntry.Action.ACCESS, access_path="referral").get()
    assert (line.actor, line.subject_person_id, line.organisation) == (
        membership.user,
        referral.person_id,
        referral.to_organisation,
    )


def test_the_home_type_shares_the_address(client, referral):
    Referral.objects.filter(pk=referral.pk).update(referral_type="home")
    _partner(client, referral)
    assert "12 rue des Secrets" in client.get(_detail(referral)).content.decode()


def test_partner_downloads_a_shared_document(client, referral):
    document = document_of(referral.person)
    referral.shared_documents.add(document)
    _partner(client, referral)
    response = client.get(reverse("referrals:shared_document", args=[referral.pk, document.pk]))
    assert response.status_code == 200
    assert AuditLogEntry.objects.filter(access_path="referral", changes_text__contains="document").exists()


def test_inbox_counts_and_overdue(client, referral, settings):
    settings.REFERRALS_REMINDER_DAYS = 5
    old = ReferralFactory(
        to_service=referral.to_service, sent_at=timezone.now() - datetime.timedelta(days=6), person__last_name="Ancien"
    )
    ReferralFactory(to_service=referral.to_service, status=ReferralStatus.ACCEPTED, person__last_name="Zorglub")
    _partner(client, referral)
    body = client.get(reverse("referrals:inbox")).content.decode()
    assert "À traiter (2)" in body and "Acceptées et en cours (1)" in body and "En retard (1)" in body
    assert "ARMORIQUE" in body and "ANCIEN" in body and "ZORGLUB" not in body
    late = client.get(reverse("referrals:inbox") + "?etat=en-retard").content.decode()
    assert old.person.full_name in late and "ARMORIQUE" not in late


def test_accept_start_close_and_the_sender_reads_the_outcome_on_the_timeline(client, referral):
    _partner(client, referral)
    client.get(_detail(referral))
    for action, data in (("accepter", {}), ("commencer", {}), ("cloturer", {"outcome": "need_met"})):
        response = client.post(reverse("referrals:respond", args=[referral.pk, action]), data)
        assert response.status_code == 302, action
    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == (ReferralStatus.CLOSED, "need_met")
    sender = MembershipFactory(organisation=referral.from_organisation, role=Role.COORDINATOR)
    login_verified(client, sender.user)
    timeline = client.get(reverse("casework:timeline", args=[referral.person_id])).content.decode()
    assert "Orientation clôturée par" in timeline and "besoin satisfait" in timeline


def test_decline_without_reason_changes_nothing(client, referral):
    _partner(client, referral)
    client.get(_detail(referral))
    response = client.post(reverse("referrals:respond", args=[referral.pk, "refuser"]), {"note": ""})
    assert response.status_code == 400
    assert "motif du refus" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED


def test_an_action_the_lifecycle_refuses_is_told_in_french(client, referral):
    _partner(client, referral)
    client.get(_detail(referral))
    response = client.post(reverse("referrals:respond", args=[referral.pk, "cloturer"]), {"outcome": "need_met"})
    assert response.status_code == 400
    assert "a été reçue et attend une réponse : on ne peut pas la clôturer" in html.unescape(response.content.decode())
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED


# --- The sender's side ---------------------------------------------------------------------------------


def _form(service, **overrides):
    return {
        "service": service.pk,
        "referral_type": "support",
        "reason": "Aide pour le dossier de logement.",
        "needs": ["organiser-sa-vie-quotidienne"],
        "urgency": "normal",
        "agreed_with_person": "Le partenaire appelle le matin.",
        "consent_given": "on",
        "consent_given_by": "person",
        "consent_channel": "oral",
        **overrides,
    }


def test_send_from_the_persons_file_needs_the_consent(client):
    agent = MembershipFactory(role=Role.RECEPTION_AGENT)
    login_verified(client, agent.user)
    person = PersonFactory(organisation=agent.organisation, last_name="Kerbrat")
    PersonPhoneFactory(person=person, number="0299112233")
    service = ReceivingServiceFactory(name="Portage de repas du Blosne")
    url = reverse("referrals:create", args=[person.pk])
    page = client.get(url + f"?service={service.pk}").content.decode()
    assert "Portage de repas du Blosne" in page and "02 99 11 22 33" in page  # the preview
    response = client.post(url, _form(service, consent_given=""))
    assert response.status_code == 400
    assert not Referral.objects.exists()
    response = client.post(url, _form(service))
    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("referrals:sent_detail", args=[referral.pk])
    assert (referral.status, referral.to_organisation) == (ReferralStatus.SENT, service.organisation)
    timeline = client.get(reverse("casework:timeline", args=[person.pk])).content.decode()
    assert "Orientation envoyée à Portage de repas du Blosne" in timeline


def test_orient_from_a_directory_result_asks_which_person_among_ones_own(client):
    agent = MembershipFactory(role=Role.COORDINATOR)
    login_verified(client, agent.user)
    mine = PersonFactory(organisation=agent.organisation, last_name="Le Goff")
    PersonFactory(last_name="Le Goffic")  # another organisation's
    service = ReceivingServiceFactory()
    body = client.get(reverse("referrals:choose_person", args=[service.pk]), {"q": "le goff"}).content.decode()
    assert reverse("referrals:create", args=[mine.pk]) + f"?service={service.pk}" in body
    assert "Le Goffic" not in body


def test_the_sender_cancels_and_the_partner_loses_the_referral(client, referral):
    sender = MembershipFactory(organisation=referral.from_organisation, role=Role.COORDINATOR)
    login_verified(client, sender.user)
    response = client.post(reverse("referrals:cancel", args=[referral.pk]), {"note": "La personne a déménagé."})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CANCELLED
    _partner(client, referral)
    assert client.get(_detail(referral)).status_code == 404


def test_a_closed_referral_cannot_be_cancelled(client, referral):
    Referral.objects.filter(pk=referral.pk).update(status=ReferralStatus.CLOSED, outcome="need_met")
    sender = MembershipFactory(organisation=referral.from_organisation, role=Role.COORDINATOR)
    login_verified(client, sender.user)
    response = client.post(reverse("referrals:cancel", args=[referral.pk]), {"note": ""})
    assert response.status_code == 400
    assert "a été clôturée : on ne peut pas l'annuler" in html.unescape(response.content.decode())
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CLOSED


def test_the_partner_redirects_to_a_service_it_searches_and_the_sender_sends_the_draft(client, referral):
    elsewhere = ReceivingServiceFactory(name="Épicerie solidaire du Blosne")
    ReceivingServiceFactory(name="Transport solidaire")
    _partner(client, referral)
    client.get(_detail(referral))
    url = reverse("referrals:respond", args=[referral.pk, "reorienter"])
    page = client.get(url, {"q": "blosne"}).content.decode()
    assert "Épicerie solidaire du Blosne" in page and "Transport solidaire" not in page
    response = client.post(url, {"redirect_to": elsewhere.pk, "note": "Plus adaptée."})
    assert response.status_code == 302
    referral.refresh_from_db()
    draft = referral.redirected_to
    assert (referral.status, draft.status, draft.to_service) == (
        ReferralStatus.REDIRECTED,
        ReferralStatus.DRAFT,
        elsewhere,
    )
    sender = MembershipFactory(organisation=referral.from_organisation, role=Role.RECEPTION_AGENT)
    login_verified(client, sender.user)
    page = client.get(reverse("referrals:sent_detail", args=[referral.pk])).content.decode()
    assert "Le partenaire propose un autre service" in page
    send = reverse("referrals:send_draft", args=[draft.pk])
    assert client.post(send, {"consent_given_by": "person", "consent_channel": "oral"}).status_code == 400
    draft.refresh_from_db()
    assert draft.status == ReferralStatus.DRAFT
    response = client.post(send, {"consent_given": "on", "consent_given_by": "person", "consent_channel": "oral"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == ReferralStatus.SENT and draft.consent.partner == elsewhere.organisation


def test_a_redirection_to_an_organisation_without_account_asks_the_sender_for_its_address(client, referral):
    """The partner may propose any published service; when its organisation has no account, sending the
    draft asks for the address its link goes to, refused in French without it, and the link leaves
    with no personal data."""
    from django.core import mail

    elsewhere = ServiceFactory(
        name="Épicerie solidaire du Blosne", organisation__name="Les Amis du Blosne", email="epicerie@example.org"
    )
    _partner(client, referral)
    client.get(_detail(referral))
    url = reverse("referrals:respond", args=[referral.pk, "reorienter"])
    assert client.post(url, {"redirect_to": elsewhere.pk, "note": "Plus proche."}).status_code == 302
    referral.refresh_from_db()
    draft = referral.redirected_to
    assert (referral.status, draft.status) == (ReferralStatus.REDIRECTED, ReferralStatus.DRAFT)
    sender = MembershipFactory(organisation=referral.from_organisation, role=Role.RECEPTION_AGENT)
    login_verified(client, sender.user)
    send = reverse("referrals:send_draft", args=[draft.pk])
    page = html.unescape(client.get(send).content.decode())
    assert 'name="recipient_email"' in page and 'value="epicerie@example.org"' in page
    consent = {"consent_given": "on", "consent_given_by": "person", "consent_channel": "oral"}
    response = client.post(send, {**consent, "recipient_email": ""})
    assert response.status_code == 400
    assert "Indiquez l'adresse électronique du partenaire" in html.unescape(response.content.decode())
    draft.refresh_from_db()
    assert draft.status == ReferralStatus.DRAFT and draft.recipient_email == ""
    mail.outbox.clear()
    assert client.post(send, {**consent, "recipient_email": "blosne@example.org"}).status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.recipient_email) == (ReferralStatus.SENT, "blosne@example.org")
    assert draft.links.filter(email="blosne@example.org", revoked_at__isnull=True).count() == 1
    run_task_worker()
    (message,) = [m for m in mail.outbox if m.to == ["blosne@example.org"]]
    assert "/orientations/lien/" in message.body and referral.person.last_name not in message.body


def test_a_service_whose_organisation_has_no_account_needs_the_partners_address(client):
    """Nobody at the partner would read an inbox: the form asks for the partner's address (decision
    « nolink »); a POST without it is refused in French, with nothing saved (no referral, no consent)."""
    agent = MembershipFactory(role=Role.RECEPTION_AGENT)
    login_verified(client, agent.user)
    person = PersonFactory(organisation=agent.organisation)
    service = ServiceFactory(name="Épicerie solidaire du Blosne", organisation__name="Les Amis du Blosne")
    MembershipFactory(organisation=service.organisation, role=Role.VOLUNTEER)  # no inbox role
    MembershipFactory(organisation=service.organisation, role=Role.PARTNER, is_active=False)  # ended
    url = reverse("referrals:create", args=[person.pk])
    page = html.unescape(client.get(url + f"?service={service.pk}").content.decode())
    assert "Les Amis du Blosne n'a pas de compte dans Maillage" in page and 'name="recipient_email"' in page
    response = client.post(url, _form(service))
    assert response.status_code == 400
    assert "Indiquez l'adresse électronique du partenaire" in html.unescape(response.content.decode())
    assert not Referral.objects.exists()
    assert not person.consents.exists()
    assert client.post(url, {**_form(service), "recipient_email": "blosne@example.org"}).status_code == 302
    assert Referral.objects.get().recipient_email == "blosne@example.org"
