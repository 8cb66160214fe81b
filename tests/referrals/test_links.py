"""A partner without an account (issue 14, point 3; decision « nolink »): the link and its code.

Refusals first — an expired link, a link revoked when the referral ended, a wrong code, a locked code,
a code of another referral, an action the lifecycle refuses, a forwarded link without the mailbox —
each in French and changing nothing. Then the journey: the link, the code, the shared set only,
accept then close, each opening logged with the path « referral_link »."""

import datetime
import html
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from maillage.core.enums import Role
from maillage.core.exceptions import ApplicationError
from maillage.core.models import AuditLogEntry
from maillage.referrals import links, services
from maillage.referrals.enums import ReferralOutcome, ReferralStatus
from maillage.referrals.models import Referral, ReferralEvent, ReferralLink
from tests.conftest import login_verified, run_task_worker
from tests.core.factories import MembershipFactory
from tests.directory.factories import ServiceFactory
from tests.people.factories import PersonAddressFactory, PersonFactory, PersonPhoneFactory

pytestmark = pytest.mark.django_db

PARTNER = "accueil@asso-sans-compte.example"


@pytest.fixture
def sender():
    return MembershipFactory(role=Role.RECEPTION_AGENT)


@pytest.fixture
def person(sender):
    person = PersonFactory(organisation=sender.organisation, first_names="Lucienne", last_name="Armorique")
    PersonPhoneFactory(person=person, number="0299000000")
    PersonAddressFactory(person=person, line="12 rue des Secrets")
    return person


def _send(sender, person, service=None, email=PARTNER, **kwargs):
    service = service or ServiceFactory(email=PARTNER)
    return services.referral_create(
        actor=sender.user,
        organisation=sender.organisation,
        person=person,
        service=service,
        referral_type="contact",
        reason="Motif-confidentiel : dossier de logement.",
        needs=["organiser-sa-vie-quotidienne"],
        consent_given=True,
        recipient_email=email,
        **kwargs,
    )


def _mails():
    run_task_worker()
    return list(mail.outbox)


def _link_url(message):
    return re.search(r"https?://\S+/orientations/lien/\S+/ouvrir/", message.body).group(0)


def _path(url):
    return re.sub(r"^https?://[^/]+", "", url)


@pytest.fixture
def sent(sender, person):
    """A referral sent to an association without accounts, and the link's address from its e-mail."""
    referral = _send(sender, person)
    (message,) = _mails()
    mail.outbox.clear()
    return referral, _path(_link_url(message))


def _code(client):
    assert client.post(reverse("referrals:link_code"), {"action": "envoyer"}).status_code == 302
    (message,) = _mails()
    mail.outbox.clear()
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def _enter(client, code):
    return client.post(reverse("referrals:link_code"), {"action": "verifier", "code": code})


def _open_with_code(client, link_path):
    assert client.get(link_path).status_code == 302
    response = _enter(client, _code(client))
    assert response.status_code == 302 and response["Location"] == reverse("referrals:link_detail")
    return response


# --- Sending -------------------------------------------------------------------------------------------


def test_without_an_address_the_send_is_refused_and_nothing_saved(sender, person):
    with pytest.raises(ApplicationError, match="n'a pas de compte dans Maillage"):
        _send(sender, person, email="")
    assert not Referral.objects.exists()


def test_the_link_email_carries_no_personal_data_and_only_a_hash_is_kept(sender, person):
    referral = _send(sender, person)
    (message,) = _mails()
    assert message.to == [PARTNER]
    assert f"Une orientation vous est adressée par {sender.organisation.name} (n° {referral.pk})" in message.subject
    for secret in ("ARMORIQUE", "Lucienne", "Motif-confidentiel", "0299000000", "12 rue des Secrets"):
        assert secret.lower() not in message.body.lower()
    token = _link_url(message).rstrip("/").split("/")[-2]
    link = ReferralLink.objects.get()
    assert token not in link.token_hash and len(link.token_hash) == 64
    assert link.expires_at.date() == (timezone.now() + datetime.timedelta(days=14)).date()
    assert referral.recipient_email == PARTNER


def test_the_send_form_asks_for_the_address_prefilled_from_the_directory(client, sender, person):
    service = ServiceFactory(email=PARTNER)
    login_verified(client, sender.user)
    body = (
        client.get(reverse("referrals:create", args=[person.pk]) + f"?service={service.pk}")
        .content.decode()
        .replace("&#x27;", "'")
    )
    assert 'name="recipient_email"' in body and PARTNER in body


# --- Refusals, each changing nothing -------------------------------------------------------------------


def test_an_unknown_link_is_refused(client):
    response = client.get(reverse("referrals:link_open", args=["pas-un-vrai-lien"]))
    assert response.status_code == 404
    assert "Ce lien n'est pas valable" in response.content.decode().replace("&#x27;", "'")


def test_an_expired_link_is_refused(client, sent):
    referral, link_path = sent
    ReferralLink.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    response = client.get(link_path)
    assert response.status_code == 410 and "Ce lien a expiré" in response.content.decode().replace("&#x27;", "'")
    assert client.post(reverse("referrals:link_code"), {"action": "envoyer"}).status_code == 404
    assert _mails() == []
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


def test_a_cancelled_referral_revokes_its_link(client, sender, sent):
    referral, link_path = sent
    services.referral_transition(
        actor=sender.user, organisation=sender.organisation, referral=referral, to_status=ReferralStatus.CANCELLED
    )
    assert ReferralLink.objects.get().revoked_at is not None
    (message,) = _mails()
    assert message.to == [PARTNER] and "annulé" in message.body
    response = client.get(link_path)
    assert response.status_code == 410 and "ce lien ne sert plus" in response.content.decode().replace("&#x27;", "'")


def test_a_session_open_when_the_referral_is_cancelled_ends_at_once(client, sender, sent):
    referral, link_path = sent
    _open_with_code(client, link_path)
    services.referral_transition(
        actor=sender.user, organisation=sender.organisation, referral=referral, to_status=ReferralStatus.CANCELLED
    )
    assert client.get(reverse("referrals:link_detail")).status_code == 404
    assert client.post(reverse("referrals:link_respond", args=["accepter"])).status_code == 404


def test_a_wrong_code_is_refused_and_opens_nothing(client, sent):
    referral, link_path = sent
    client.get(link_path)
    code = _code(client)
    wrong = "000000" if code != "000000" else "111111"
    response = _enter(client, wrong)
    assert response.status_code == 400 and "Ce code n'est pas le bon" in response.content.decode().replace(
        "&#x27;", "'"
    )
    assert client.get(reverse("referrals:link_detail")).status_code == 404
    assert not AuditLogEntry.objects.filter(access_path="referral_link").exists()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


def test_five_wrong_codes_lock_the_link_even_for_the_right_code(client, sent):
    referral, link_path = sent
    client.get(link_path)
    code = _code(client)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(4):
        _enter(client, wrong)
    response = _enter(client, wrong)
    assert "Trop de codes erronés" in response.content.decode().replace("&#x27;", "'")
    response = _enter(client, code)
    assert response.status_code == 403 and "Trop de codes erronés" in response.content.decode().replace("&#x27;", "'")
    assert client.get(reverse("referrals:link_detail")).status_code == 404


def test_an_expired_code_is_refused(client, sent):
    _referral, link_path = sent
    client.get(link_path)
    code = _code(client)
    ReferralLink.objects.update(code_expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert "Ce code a expiré" in _enter(client, code).content.decode().replace("&#x27;", "'")


def test_a_code_of_another_referral_opens_nothing(client, sender, person, sent):
    referral, link_path = sent
    other = _send(sender, PersonFactory(organisation=sender.organisation))
    (other_message,) = _mails()
    mail.outbox.clear()
    other_client = client.__class__()
    other_client.get(_path(_link_url(other_message)))
    other_code = _code(other_client)
    client.get(link_path)
    _code(client)
    response = _enter(client, other_code)
    assert response.status_code == 400 and "Ce code n'est pas le bon" in response.content.decode().replace(
        "&#x27;", "'"
    )
    assert client.get(reverse("referrals:link_detail")).status_code == 404
    assert other.status == ReferralStatus.SENT


def test_a_forwarded_link_without_the_mailbox_reads_nothing(client, sent):
    """The code goes to the link's address, not to whoever opened the link."""
    _referral, link_path = sent
    client.get(link_path)
    client.post(reverse("referrals:link_code"), {"action": "envoyer"})
    (message,) = _mails()
    assert message.to == [PARTNER]
    assert client.get(reverse("referrals:link_detail")).status_code == 404


def test_codes_are_rate_limited(client, sent):
    _referral, link_path = sent
    client.get(link_path)
    for _ in range(links_limit()):
        assert client.post(reverse("referrals:link_code"), {"action": "envoyer"}).status_code == 302
    response = client.post(reverse("referrals:link_code"), {"action": "envoyer"})
    assert response.status_code == 429 and "Trop de demandes" in response.content.decode().replace("&#x27;", "'")
    assert len(_mails()) == links_limit()


def links_limit():
    from maillage.referrals.views import LINK_CODE_LIMIT

    return LINK_CODE_LIMIT


def test_an_action_the_lifecycle_refuses_changes_nothing(client, sent):
    referral, link_path = sent
    _open_with_code(client, link_path)
    client.get(reverse("referrals:link_detail"))  # received
    response = client.post(reverse("referrals:link_respond", args=["cloturer"]), {"outcome": ReferralOutcome.NEED_MET})
    assert response.status_code == 400
    assert "Cette orientation a été reçue et attend une réponse : on ne peut pas la clôturer." in (
        response.content.decode().replace("&#x27;", "'")
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED and not referral.outcome


def test_redirecting_is_not_offered_through_the_link(client, sent):
    _referral, link_path = sent
    _open_with_code(client, link_path)
    assert client.get(reverse("referrals:link_respond", args=["reorienter"])).status_code == 404


def test_the_session_lasts_thirty_minutes(client, sent):
    _referral, link_path = sent
    _open_with_code(client, link_path)
    session = client.session
    session[links.SESSION_KEY] = {**session[links.SESSION_KEY], "until": timezone.now().timestamp() - 1}
    session.save()
    assert client.get(reverse("referrals:link_detail")).status_code == 404


def test_a_used_code_does_not_open_a_second_session(client, sent):
    _referral, link_path = sent
    client.get(link_path)
    code = _code(client)
    assert _enter(client, code).status_code == 302
    other = client.__class__()
    other.get(link_path)
    response = _enter(other, code)
    assert response.status_code == 400 and "Demandez d'abord un code" in response.content.decode().replace(
        "&#x27;", "'"
    )


# --- The journey ---------------------------------------------------------------------------------------


def test_the_partner_reads_only_the_shared_set_accepts_then_closes(client, sender, sent):
    referral, link_path = sent
    response = _open_with_code(client, link_path)
    body = client.get(response["Location"]).content.decode().replace("&#x27;", "'")
    assert "Lucienne ARMORIQUE" in body and "02 99 00 00 00" in body
    assert "12 rue des Secrets" not in body
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED
    line = AuditLogEntry.objects.filter(access_path="referral_link").get()
    assert line.subject_person_id == referral.person_id and line.actor is None
    assert line.path == reverse("referrals:link_detail")
    assert str(referral.person_id) not in line.path

    assert client.post(reverse("referrals:link_respond", args=["accepter"]), {"note": ""}).status_code == 302
    response = client.post(
        reverse("referrals:link_respond", args=["cloturer"]), {"outcome": ReferralOutcome.NEED_MET, "note": ""}
    )
    assert response.status_code == 200 and "Orientation clôturée" in response.content.decode().replace("&#x27;", "'")
    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == (ReferralStatus.CLOSED, ReferralOutcome.NEED_MET)
    last = ReferralEvent.objects.filter(referral=referral).last()
    assert (last.actor, last.actor_email, last.organisation) == (None, PARTNER, referral.to_organisation)
    assert ReferralLink.objects.get().revoked_at is not None
    assert client.get(reverse("referrals:link_detail")).status_code == 404
    assert client.get(link_path).status_code == 410
    notified = [m for m in _mails() if m.to == [sender.user.email]]
    assert notified and "clôturée" in notified[-1].subject
    assert AuditLogEntry.objects.filter(access_path="referral_link").count() >= 3


def test_the_documents_chosen_are_read_through_the_link_and_each_download_is_logged(client, sender, person):
    """The partner without an account downloads the documents the sender chose, and only them, while
    the link holds: another document of the person, or of another referral, is 404; after the
    referral is cancelled, nothing."""
    from tests.referrals.test_services import document_of

    chosen = document_of(person, title="Avis d'imposition 2026")
    other = document_of(person, title="Pièce d'identité")
    referral = _send(sender, person, documents=[chosen])
    (message,) = _mails()
    mail.outbox.clear()
    response = _open_with_code(client, _path(_link_url(message)))
    page = html.unescape(client.get(response["Location"]).content.decode())
    url = reverse("referrals:link_document", args=[chosen.pk])
    assert "Avis d'imposition 2026" in page and url in page and "Pièce d'identité" not in page
    download = client.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4"
    assert download["Cache-Control"] == "private, no-store"
    line = AuditLogEntry.objects.filter(access_path="referral_link", changes_text__contains="document").get()
    assert line.subject_person_id == person.pk and "Avis d'imposition 2026" in line.changes_text and line.actor is None
    assert client.get(reverse("referrals:link_document", args=[other.pk])).status_code == 404
    services.referral_transition(
        actor=sender.user, organisation=sender.organisation, referral=referral, to_status=ReferralStatus.CANCELLED
    )
    assert client.get(url).status_code == 404


def test_the_partner_without_an_account_records_the_first_contact_through_the_link(client, sender, sent):
    """The accompanied first contact (point 4) from the link's session: the plan, then whether it took
    place, each written for the receiving organisation with no user, each opening logged; once the
    session is gone, the page is 404."""
    referral, link_path = sent
    _open_with_code(client, link_path)
    detail = html.unescape(client.get(reverse("referrals:link_detail")).content.decode())
    url = reverse("referrals:link_first_contact")
    assert url in detail and "Noter le premier contact" in detail
    page = html.unescape(client.get(url).content.decode())
    assert "Premier contact de Lucienne ARMORIQUE" in page and "Orientation vers" in page
    bad = client.post(url, {"step": "plan", "plan-appointment_booked": "on", "plan-accompanied_by": ""})
    assert bad.status_code == 400 and "Indiquez la date et l'heure du rendez-vous pris." in html.unescape(
        bad.content.decode()
    )
    assert not referral.first_contact_events.exists()
    response = client.post(url, {"step": "plan", "plan-accompanied_by": "Sa fille, Mme Armorique"})
    assert response.status_code == 302 and response["Location"] == reverse("referrals:link_detail")
    event = referral.first_contact_events.get()
    assert (event.actor, event.organisation) == (None, referral.to_organisation)
    assert "accompagnée par : Sa fille, Mme Armorique" in event.summary
    response = client.post(url, {"step": "result", "result-result": "happened", "result-reason": ""})
    assert response.status_code == 302
    assert referral.first_contact.result == "happened"
    assert (
        AuditLogEntry.objects.filter(access_path="referral_link", changes_text__contains="premier contact").count()
        == 4  # the page, the refused plan, the plan, the result
    )
    client.session.flush()
    client.cookies.clear()
    assert client.get(url).status_code == 404
