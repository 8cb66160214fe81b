"""The partner API (decision 60): a personal key, the same grant as the web inbox, the same
lifecycle. Attacks first: another organisation's referral, an ended membership, a revoked or expired
key, a volunteer's or administrator's key, a withdrawn consent, a session cookie without a key — each
refused, nothing changed."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.core.enums import Role
from maillage.core.models import AuditLogEntry
from maillage.referrals import apis
from maillage.referrals.enums import ReferralStatus
from maillage.referrals.models import Referral, ReferralEvent
from tests.conftest import login_verified
from tests.core.factories import MembershipFactory, api_key_for
from tests.people.factories import PersonAddressFactory, PersonFactory, PersonPhoneFactory
from tests.referrals.factories import ReceivingServiceFactory, ReferralFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral():
    """A « contact » referral sent to a partner: its software reads the name and phone, not the address."""
    person = PersonFactory(first_names="Lucienne", last_name="Armorique", birth_date=datetime.date(1941, 10, 9))
    PersonPhoneFactory(person=person, number="0299000000")
    PersonAddressFactory(person=person, line="12 rue des Secrets")
    return ReferralFactory(person=person, from_organisation=person.organisation, referral_type="contact")


def _key(referral_or_org, role=Role.PARTNER, **membership):
    organisation = getattr(referral_or_org, "to_organisation", referral_or_org)
    member = MembershipFactory(organisation=organisation, role=role, **membership)
    key, secret = api_key_for(member.user, organisation)
    return key, secret, member


def _auth(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _get(client, name, secret=None, pk=None, **params):
    url = reverse(f"referrals_api:{name}", args=[pk] if pk else None)
    return client.get(url, params, **(_auth(secret) if secret else {}))


def _post(client, name, pk, secret=None, body=None, **headers):
    url = reverse(f"referrals_api:{name}", args=[pk])
    extra = {**(_auth(secret) if secret else {}), **headers}
    return client.post(url, json.dumps(body or {}), content_type="application/json", **extra)


def _unchanged(referral, status=ReferralStatus.SENT):
    referral.refresh_from_db()
    assert referral.status == status
    assert not ReferralEvent.objects.filter(referral=referral, api_key__isnull=False).exists()


# --- Authentication ------------------------------------------------------------------------------------


def test_no_key_is_401_in_french(client, referral):
    response = _get(client, "list")
    assert response.status_code == 401
    assert response.json()["message"].startswith("Clé d'API absente")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_verified_session_cookie_without_key_is_401(client, referral):
    """A browser session, second factor passed, in a role that receives referrals: still nothing."""
    member = MembershipFactory(organisation=referral.to_organisation, role=Role.PARTNER)
    login_verified(client, member.user)
    assert _get(client, "list").status_code == 401
    assert _get(client, "detail", pk=referral.pk).status_code == 401
    assert _post(client, "receive", referral.pk).status_code == 401
    _unchanged(referral)


def test_unknown_revoked_and_expired_keys_get_the_same_401(client, referral):
    _key_, secret, _m = _key(referral)
    revoked, revoked_secret, _m = _key(referral)
    revoked.revoked_at = timezone.now()
    revoked.save()
    expired, expired_secret, _m = _key(referral)
    expired.expires_at = timezone.now() - datetime.timedelta(seconds=1)
    expired.save()
    answers = [
        _get(client, "list", secret[:-1] + ("A" if secret[-1] != "A" else "B")),
        _get(client, "list", revoked_secret),
        _get(client, "list", expired_secret),
        _get(client, "list", "n'importe-quoi"),
    ]
    assert {r.status_code for r in answers} == {401}
    assert {r.json()["message"] for r in answers} == {"Clé d'API inconnue, révoquée ou expirée."}
    assert _get(client, "list", secret).status_code == 200


def test_key_of_a_deactivated_account_is_401(client, referral):
    _k, secret, member = _key(referral)
    member.user.is_active = False
    member.user.save()
    assert _get(client, "list", secret).status_code == 401


def test_ended_membership_is_403_and_changes_nothing(client, referral):
    _k, secret, member = _key(referral)
    member.is_active = False
    member.save()
    response = _post(client, "receive", referral.pk, secret)
    assert response.status_code == 403
    assert "ne reçoit plus les orientations" in response.json()["message"]
    _unchanged(referral)


def test_role_changed_to_one_without_inbox_is_403(client, referral):
    _k, secret, member = _key(referral)
    member.role = Role.VOLUNTEER
    member.save()
    assert _get(client, "list", secret).status_code == 403


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.ADMIN, Role.DPO, Role.REGISTER_MANAGER])
def test_key_of_a_role_without_inbox_cannot_act(client, referral, role):
    """The service refuses to make such a key; one written anyway opens nothing."""
    _k, secret, _m = _key(referral, role=role)
    assert _get(client, "detail", secret, pk=referral.pk).status_code == 403
    assert _post(client, "receive", referral.pk, secret).status_code == 403
    _unchanged(referral)


@pytest.mark.parametrize("role", [Role.PARTNER, Role.RECEPTION_AGENT, Role.COORDINATOR, Role.DIRECTOR])
def test_every_inbox_role_reads_through_its_key(client, referral, role):
    _k, secret, _m = _key(referral, role=role)
    assert _get(client, "detail", secret, pk=referral.pk).status_code == 200


def test_another_organisations_referral_is_404_like_an_absent_one(client, referral):
    _k, secret, _m = _key(MembershipFactory(role=Role.PARTNER).organisation)
    absent = _get(client, "detail", secret, pk=999999)
    other = _get(client, "detail", secret, pk=referral.pk)
    assert other.status_code == absent.status_code == 404
    assert other.json() == absent.json()
    assert _post(client, "receive", referral.pk, secret).status_code == 404
    assert _get(client, "list", secret).json()["count"] == 0
    _unchanged(referral)


def test_key_of_organisation_a_cannot_reach_organisation_b_where_its_holder_also_works(client, referral):
    """The holder receives referrals at B too, but the key was made for A: it opens A only."""
    _k, secret, member = _key(MembershipFactory(role=Role.PARTNER).organisation)
    MembershipFactory(user=member.user, organisation=referral.to_organisation, role=Role.PARTNER)
    assert _get(client, "detail", secret, pk=referral.pk).status_code == 404
    assert _post(client, "receive", referral.pk, secret).status_code == 404
    assert _get(client, "list", secret).json()["count"] == 0
    _unchanged(referral)


def test_withdrawn_consent_is_404(client, referral):
    _k, secret, _m = _key(referral)
    referral.consent.withdrawn_at = timezone.now()
    referral.consent.save()
    assert _get(client, "detail", secret, pk=referral.pk).status_code == 404
    assert _post(client, "receive", referral.pk, secret).status_code == 404
    listed = _get(client, "list", secret).json()["results"]
    assert [r["person_name"] for r in listed] == [None]
    _unchanged(referral)


def test_ended_referral_is_404_and_listed_without_the_name(client, referral):
    referral.status = ReferralStatus.CLOSED
    referral.outcome = "need_met"
    referral.save()
    _k, secret, _m = _key(referral)
    assert _get(client, "detail", secret, pk=referral.pk).status_code == 404
    (row,) = _get(client, "list", secret).json()["results"]
    assert row["person_name"] is None
    assert row["outcome"] == "need_met"
    assert "armorique" not in json.dumps(row).lower()


def test_wrong_method_is_405(client, referral):
    _k, secret, _m = _key(referral)
    response = client.post(reverse("referrals_api:list"), **_auth(secret))
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert client.get(reverse("referrals_api:accept", args=[referral.pk]), **_auth(secret)).status_code == 405


def test_rate_limit_per_key(client, referral, monkeypatch):
    monkeypatch.setattr(apis, "API_RATE_LIMIT", 2)
    _k, secret, _m = _key(referral)
    _k2, other_secret, _m2 = _key(referral)
    assert [_get(client, "list", secret).status_code for _ in range(3)] == [200, 200, 429]
    limited = _get(client, "list", secret)
    assert limited.status_code == 429
    assert "Retry-After" in limited
    assert _get(client, "list", other_secret).status_code == 200  # another key has its own count


def test_last_use_is_recorded(client, referral):
    key, secret, _m = _key(referral)
    assert key.last_used_at is None
    _get(client, "list", secret)
    key.refresh_from_db()
    assert key.last_used_at is not None


# --- Reading -------------------------------------------------------------------------------------------


def test_list_shows_only_the_organisations_referrals_with_names_of_open_ones(client, referral):
    ReferralFactory()  # addressed to someone else
    ReferralFactory(to_service=referral.to_service, status=ReferralStatus.DRAFT)  # a draft: never
    closed = ReferralFactory(to_service=referral.to_service, status=ReferralStatus.DECLINED)
    key, secret, member = _key(referral)
    response = _get(client, "list", secret)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    names = {r["id"]: r["person_name"] for r in body["results"]}
    assert names == {str(referral.pk): "Lucienne ARMORIQUE", str(closed.pk): None}
    line = AuditLogEntry.objects.filter(action=AuditLogEntry.Action.ACCESS, access_path="referral").latest("pk")
    assert line.actor == member.user
    assert line.organisation == referral.to_organisation
    assert "clé d'API « Logiciel de suivi »" in line.changes_text
    assert "1 fiche affichée" in line.changes_text


def test_list_filters_and_pages(client, referral):
    late = ReferralFactory(to_service=referral.to_service, sent_at=timezone.now() - datetime.timedelta(days=30))
    accepted = ReferralFactory(to_service=referral.to_service, status=ReferralStatus.ACCEPTED)
    _k, secret, _m = _key(referral)
    assert [r["id"] for r in _get(client, "list", secret, status="accepted").json()["results"]] == [str(accepted.pk)]
    overdue = _get(client, "list", secret, overdue="true").json()["results"]
    assert [(r["id"], r["overdue"]) for r in overdue] == [(str(late.pk), True)]
    first = _get(client, "list", secret, per_page=2).json()
    second = _get(client, "list", secret, per_page=2, page=2).json()
    assert first["count"] == 3 and first["next_page"] == 2 and len(first["results"]) == 2
    assert second["next_page"] is None and len(second["results"]) == 1
    assert {r["id"] for r in first["results"] + second["results"]} == {str(r.pk) for r in (referral, late, accepted)}


@pytest.mark.parametrize(
    ("params", "field"),
    [({"status": "draft"}, "status"), ({"overdue": "oui"}, "overdue"), ({"per_page": "500"}, "per_page")],
)
def test_list_bad_parameters_are_400_by_name(client, referral, params, field):
    _k, secret, _m = _key(referral)
    response = _get(client, "list", secret, **params)
    assert response.status_code == 400
    assert field in response.json()["extra"]


def test_detail_gives_the_shared_set_only_marks_received_and_is_logged(client, referral):
    key, secret, member = _key(referral)
    response = _get(client, "detail", secret, pk=referral.pk)
    assert response.status_code == 200
    body = response.json()
    assert body["shared"]["identity"]["full_name"] == "Lucienne ARMORIQUE"
    assert body["shared"]["phones"][0]["display"] == "02 99 00 00 00"
    # A « contact » referral shares no address nor age: absent, not empty.
    assert set(body["shared"]) == {"identity", "phones", "emails"}
    assert "12 rue des Secrets" not in response.content.decode()
    assert body["status"] == "received"
    assert body["allowed_actions"] == ["accept", "decline", "redirect"]
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.RECEIVED
    event = referral.events.get(to_status=ReferralStatus.RECEIVED)
    assert (event.actor, event.organisation, event.api_key) == (member.user, referral.to_organisation, key)
    line = AuditLogEntry.objects.filter(subject_person_id=referral.person_id, access_path="referral").latest("pk")
    assert line.actor == member.user
    assert line.changes_text == "Orientation reçue, par la clé d'API « Logiciel de suivi »"
    assert line.path == reverse("referrals_api:detail", args=[referral.pk])


# --- Answers -------------------------------------------------------------------------------------------


def test_accept_start_close_through_the_lifecycle(client, referral):
    key, secret, member = _key(referral)
    assert _post(client, "receive", referral.pk, secret).json()["status"] == "received"
    accepted = _post(client, "accept", referral.pk, secret, {"note": "Premier appel lundi."})
    assert accepted.status_code == 200
    assert accepted.json()["allowed_actions"] == ["start", "close"]
    assert _post(client, "start", referral.pk, secret).json()["status"] == "in_progress"
    closed = _post(client, "close", referral.pk, secret, {"outcome": "need_met"})
    assert closed.json() | {} == {
        "id": str(referral.pk),
        "status": "closed",
        "status_label": "Clôturée",
        "outcome": "need_met",
        "outcome_label": "Besoin satisfait",
        "allowed_actions": [],
    }
    events = list(referral.events.filter(api_key=key).values_list("to_status", "note"))
    assert events == [
        ("received", ""),
        ("accepted", "Premier appel lundi."),
        ("in_progress", ""),
        ("closed", ""),
    ]
    assert set(referral.events.filter(api_key=key).values_list("actor", flat=True)) == {member.user.pk}


def test_a_change_the_lifecycle_refuses_is_409_in_french(client, referral):
    _k, secret, _m = _key(referral)
    response = _post(client, "accept", referral.pk, secret)  # still « envoyée »: receive first
    assert response.status_code == 409
    assert response.json()["message"] == (
        "Cette orientation a été envoyée et n'est pas encore reçue : on ne peut pas l'accepter."
    )
    _unchanged(referral)


def test_decline_needs_a_reason(client, referral):
    referral.status = ReferralStatus.RECEIVED
    referral.save()
    _k, secret, _m = _key(referral)
    response = _post(client, "decline", referral.pk, secret, {"note": "   "})
    assert response.status_code == 400
    assert "motif du refus" in response.json()["extra"]["note"]
    missing = _post(client, "decline", referral.pk, secret, {})
    assert missing.json()["extra"] == {"note": "Champ obligatoire."}
    _unchanged(referral, ReferralStatus.RECEIVED)
    declined = _post(client, "decline", referral.pk, secret, {"note": "Hors secteur."})
    assert declined.json()["status"] == "declined"
    assert _get(client, "detail", secret, pk=referral.pk).status_code == 404  # ended: the grant is gone


def test_close_with_an_unknown_outcome_is_400(client, referral):
    referral.status = ReferralStatus.ACCEPTED
    referral.save()
    _k, secret, _m = _key(referral)
    response = _post(client, "close", referral.pk, secret, {"outcome": "parfait"})
    assert response.status_code == 400
    assert "valeurs possibles" in response.json()["extra"]["outcome"]
    _unchanged(referral, ReferralStatus.ACCEPTED)


def test_body_that_is_not_json_is_refused(client, referral):
    referral.status = ReferralStatus.RECEIVED
    referral.save()
    _k, secret, _m = _key(referral)
    url = reverse("referrals_api:decline", args=[referral.pk])
    assert client.post(url, "note=x", content_type="text/plain", **_auth(secret)).status_code == 415
    assert client.post(url, "{", content_type="application/json", **_auth(secret)).status_code == 400
    _unchanged(referral, ReferralStatus.RECEIVED)


def test_redirect_to_another_published_service_prepares_a_draft(client, referral):
    referral.status = ReferralStatus.RECEIVED
    referral.save()
    _k, secret, _m = _key(referral)
    target = ReceivingServiceFactory()
    response = _post(client, "redirect", referral.pk, secret, {"service_id": target.pk, "note": "Plus proche."})
    assert response.status_code == 200
    assert response.json()["status"] == "redirected"
    draft = Referral.objects.get(redirected_from=referral)
    assert (draft.status, draft.to_service) == (ReferralStatus.DRAFT, target)


@pytest.mark.parametrize("which", ["unknown", "same", "sender", "draft"])
def test_redirect_refuses_a_wrong_service_by_field(client, referral, which):
    from tests.directory.factories import ServiceFactory

    referral.status = ReferralStatus.RECEIVED
    referral.save()
    _k, secret, _m = _key(referral)
    service_id = {
        "unknown": lambda: 999999,
        "same": lambda: referral.to_service_id,
        "sender": lambda: ServiceFactory(organisation=referral.from_organisation).pk,
        "draft": lambda: ServiceFactory(draft=True).pk,
    }[which]()
    response = _post(client, "redirect", referral.pk, secret, {"service_id": service_id})
    assert response.status_code == 400
    assert response.json()["extra"]["service_id"]
    _unchanged(referral, ReferralStatus.RECEIVED)


def test_idempotency_key_replays_the_first_answer(client, referral):
    referral.status = ReferralStatus.RECEIVED
    referral.save()
    _k, secret, _m = _key(referral)
    first = _post(client, "accept", referral.pk, secret, HTTP_IDEMPOTENCY_KEY="abc-1")
    again = _post(client, "accept", referral.pk, secret, HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert referral.events.filter(to_status=ReferralStatus.ACCEPTED).count() == 1
    other_path = _post(client, "start", referral.pk, secret, HTTP_IDEMPOTENCY_KEY="abc-1")
    assert other_path.status_code == 400
    assert _post(client, "accept", referral.pk, secret, HTTP_IDEMPOTENCY_KEY="abc-2").status_code == 409


# --- The OpenAPI description and the docs page -------------------------------------------------------


def test_openapi_describes_the_partner_operations_with_their_schemas(client):
    document = client.get(reverse("api:openapi")).json()
    paths = document["paths"]
    assert paths["/referrals"]["get"]["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ReferralPage"
    }
    assert paths["/referrals/{id}"]["get"]["security"] == [{"partnerKey": []}]
    for action, request in [
        ("receive", None),
        ("accept", "NoteIn"),
        ("decline", "DeclineIn"),
        ("redirect", "RedirectIn"),
        ("start", "NoteIn"),
        ("close", "CloseIn"),
    ]:
        operation = paths[f"/referrals/{{id}}/{action}"]["post"]
        assert operation["tags"] == ["orientations"]
        assert {"401", "403", "404", "429"} <= set(operation["responses"])
        if request:
            schema = operation["requestBody"]["content"]["application/json"]["schema"]
            assert schema == {"$ref": f"#/components/schemas/{request}"}
            assert "409" in operation["responses"]
    schemas = document["components"]["schemas"]
    assert {"ReferralPage", "ReferralDetail", "ReferralState", "DeclineIn", "CloseIn", "RedirectIn"} <= set(schemas)
    assert "note" in schemas["DeclineIn"]["required"]
    assert document["components"]["securitySchemes"]["partnerKey"]["scheme"] == "bearer"


def test_docs_page_has_the_partner_section(client):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "API des partenaires" in content
    assert "POST /api/v1/referrals/{id}/decline" in content
    assert "Authorization: Bearer" in content
