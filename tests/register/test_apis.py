"""The callers' API (/api/v1/campaigns/{id}/next-call, /api/v1/calls/{id}/outcome): what it gives,
what it records, the one error shape, the attacks (another organisation's caller, a volunteer not in
the campaign, an ended membership, no second factor, a call assigned to someone else, no CSRF
token) and the OpenAPI document."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from maillage.core.enums import Role
from maillage.core.models import AuditLogEntry
from maillage.register.enums import CallStatus, EscalationReason, Outcome
from maillage.register.models import Call, CallAttempt, Escalation
from maillage.register.services import calls as call_services
from maillage.register.services import campaigns
from tests.conftest import login_verified
from tests.core.factories import MembershipFactory
from tests.people.factories import PersonAddressFactory, PersonPhoneFactory
from tests.register import calls_world as cw

pytestmark = pytest.mark.django_db

SHEET_KEYS = {"identity", "age", "address", "phones", "emails", "legal_representative", "needs", "contact"}


@pytest.fixture
def setup():
    w = cw.world(callers=2)
    entry = cw.entry(w, best_times="Le matin")
    PersonAddressFactory(person=entry.person, is_current=True)
    PersonPhoneFactory(person=entry.person)
    campaign = cw.open_campaign(
        w,
        callers=w.callers[:1],
        crisis=cw.crisis(w),
        script={"script_introduction": "Bonjour, je vous appelle de la part de la mairie."},
    )
    return w, campaign


def _next(client, campaign):
    return client.post(reverse("register_api:next_call", kwargs={"pk": campaign.pk}))


def _outcome(client, call_pk, body, **headers):
    return client.post(
        reverse("register_api:call_outcome", kwargs={"pk": call_pk}),
        data=json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


def _client(user):
    return login_verified(Client(), user)


def test_next_call_gives_the_call_its_minimal_sheet_and_the_guide_and_logs_the_opening(setup):
    w, campaign = setup
    call = campaign.calls.get()
    response = _next(_client(w.callers[0]), campaign)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "id", "version", "campaign", "purpose", "purpose_label", "attempts", "max_attempts", "due_at", "sheet",
        "guide", "spacing_to_announce",
    }  # fmt: skip
    assert body["spacing_to_announce"] is None  # an evaluation call announces nothing
    assert (body["id"], body["version"], body["attempts"], body["max_attempts"]) == (str(call.pk), 1, 0, 3)
    assert body["campaign"] == {"id": str(campaign.pk), "title": campaign.title}
    assert set(body["sheet"]) == SHEET_KEYS
    assert body["sheet"]["identity"]["last_name"] == call.person.last_name
    assert body["sheet"]["phones"][0]["number"].startswith("+33")
    assert body["sheet"]["contact"]["best_times"] == "Le matin"
    assert body["guide"] == [{"title": "Se présenter", "text": "Bonjour, je vous appelle de la part de la mairie."}]
    assert response["Cache-Control"] == "no-store, private"
    line = AuditLogEntry.objects.get(action=AuditLogEntry.Action.ACCESS, subject_person_id=call.person_id)
    assert (line.actor, line.access_path) == (w.callers[0], "call_assignment")


def test_next_call_answers_204_when_there_is_nothing_to_call(setup):
    w, campaign = setup
    client = _client(w.callers[0])
    call_pk = _next(client, campaign).json()["id"]
    assert _outcome(client, call_pk, {"outcome": "reached_fine", "version": 1}).status_code == 200
    response = _next(client, campaign)
    assert response.status_code == 204 and response.content == b""


def test_outcome_records_a_try_and_answers_the_new_state(setup):
    w, campaign = setup
    client = _client(w.callers[0])
    call_pk = _next(client, campaign).json()["id"]
    response = _outcome(client, call_pk, {"outcome": "not_reached", "note": "Messagerie", "version": 1})
    assert response.status_code == 200
    state = response.json()
    assert (state["status"], state["attempts"], state["version"], state["outcome"], state["escalated"]) == (
        "retry",
        1,
        2,
        None,
        False,
    )
    answers = cw.grid_answers(chute="au_sol_ou_blesse")
    response = _outcome(client, call_pk, {"outcome": "reached_fine", "fragility_answers": answers, "version": 2})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "done" and response.json()["escalated"] is True
    assert Escalation.objects.get().reason == EscalationReason.VERY_FRAGILE


def test_an_outcome_posted_twice_is_refused_with_a_french_message_and_changes_nothing(setup):
    w, campaign = setup
    client = _client(w.callers[0])
    call_pk = _next(client, campaign).json()["id"]
    assert _outcome(client, call_pk, {"outcome": "reached_fine", "version": 1}).status_code == 200
    before = list(Call.objects.values_list("pk", "status", "attempts", "version", "outcome"))
    response = _outcome(client, call_pk, {"outcome": "refused", "version": 2})
    assert response.status_code == 409
    assert response.json()["message"].startswith(
        "L'issue de cet appel est déjà enregistrée (« Jointe, tout va bien »)"
    )
    assert list(Call.objects.values_list("pk", "status", "attempts", "version", "outcome")) == before
    assert CallAttempt.objects.count() == 1


def test_the_same_idempotency_key_twice_is_recorded_once(setup):
    w, campaign = setup
    client = _client(w.callers[0])
    call_pk = _next(client, campaign).json()["id"]
    first = _outcome(client, call_pk, {"outcome": "not_reached", "version": 1}, **{"Idempotency-Key": "tel-42"})
    again = _outcome(client, call_pk, {"outcome": "not_reached", "version": 1}, **{"Idempotency-Key": "tel-42"})
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert CallAttempt.objects.count() == 1


BAD_BODIES = [
    ({"outcome": "perdu", "version": 1}, 400, "outcome", "Valeur inconnue"),
    ({"outcome": "needs_found", "needs": ["chauffage"], "version": 1}, 400, "needs", "Besoin inconnu « chauffage »"),
    ({"outcome": "needs_found", "version": 1}, 400, "needs", "au moins un"),
    ({"outcome": "reached_fine"}, 400, "version", "Champ obligatoire"),
    ({"outcome": "reached_fine", "version": "un"}, 400, "version", "Nombre entier"),
    ({"outcome": "reached_fine", "version": 1, "secret": 1}, 400, "secret", "Champ inconnu"),
    ({"outcome": "reached_fine", "version": 1, "note": "x" * 4001}, 400, "note", "4000 caractères"),
    (
        {"outcome": "reached_fine", "version": 1, "fragility_answers": {"vit_seul": "oui"}},
        400,
        "fragility_answers",
        "manquante",
    ),
    ({"outcome": "reached_fine", "version": 7}, 409, "version", ""),
]


@pytest.mark.parametrize(("body", "status", "field", "words"), BAD_BODIES)
def test_bad_input_is_refused_field_by_field_in_french(setup, body, status, field, words):
    w, campaign = setup
    client = _client(w.callers[0])
    call_pk = _next(client, campaign).json()["id"]
    response = _outcome(client, call_pk, body)
    assert response.status_code == status
    error = response.json()
    assert set(error) == {"message", "extra"}
    assert field in error["extra"] and words in error["extra"][field]
    assert CallAttempt.objects.count() == 0


def test_a_body_that_is_not_json_is_refused(setup):
    w, campaign = setup
    client = _client(w.callers[0])
    call_pk = _next(client, campaign).json()["id"]
    url = reverse("register_api:call_outcome", kwargs={"pk": call_pk})
    assert client.post(url, data={"outcome": "reached_fine"}).status_code == 415
    response = client.post(url, data="{pas du json", content_type="application/json")
    assert response.status_code == 400 and "JSON" in response.json()["message"]
    assert client.get(url).status_code == 405


def test_after_the_crisis_ended_nothing_is_given_nor_recorded(setup):
    w, campaign = setup
    client = _client(w.callers[0])
    call_pk = _next(client, campaign).json()["id"]
    campaign.crisis.ended_at = timezone.now()
    campaign.crisis.save()
    response = _next(client, campaign)
    assert response.status_code == 409 and "crise" in response.json()["message"]
    response = _outcome(client, call_pk, {"outcome": "reached_fine", "version": 1})
    assert response.status_code == 409 and response.json()["message"].startswith("La crise est levée")
    assert Call.objects.get(pk=call_pk).status == CallStatus.ASSIGNED


# --- Attacks --------------------------------------------------------------------------------------------


def _other_organisations_caller(w):
    return MembershipFactory(role=Role.VOLUNTEER).user


def _volunteer_not_in_the_campaign(w):
    return w.callers[1]


def _ended_membership(w):
    w.callers[0].memberships.update(is_active=False)
    return w.callers[0]


def _manager_not_caller(w):
    return w.manager


ATTACKERS = [_other_organisations_caller, _volunteer_not_in_the_campaign, _ended_membership, _manager_not_caller]


@pytest.mark.parametrize("attacker", ATTACKERS, ids=lambda f: f.__name__.strip("_"))
def test_who_is_not_the_callers_gets_404_and_nothing_changes(setup, attacker):
    w, campaign = setup
    call = campaign.calls.get()
    client = _client(attacker(w))
    before = list(Call.objects.values_list("pk", "status", "assigned_to", "attempts", "version"))
    for response in (_next(client, campaign), _outcome(client, call.pk, {"outcome": "deceased", "version": 1})):
        assert response.status_code == 404
        assert response.json() == {"message": "Introuvable, ou pas pour vous.", "extra": {}}
    assert list(Call.objects.values_list("pk", "status", "assigned_to", "attempts", "version")) == before
    assert not AuditLogEntry.objects.filter(action=AuditLogEntry.Action.ACCESS, subject_person_id=call.person_id)


def test_a_call_assigned_to_another_caller_of_the_same_campaign_is_404(setup):
    w, campaign = setup
    campaigns.campaign_set_callers(actor=w.manager, campaign=campaign, callers=w.callers)
    call = campaign.calls.get()
    response = _outcome(_client(w.callers[1]), call.pk, {"outcome": "deceased", "version": 1})
    assert response.status_code == 404
    assert Call.objects.get(pk=call.pk).status == CallStatus.ASSIGNED
    assert _next(_client(w.callers[1]), campaign).status_code == 204  # not given to them either


def test_without_second_factor_or_session_the_api_answers_json_refusals(setup):
    w, campaign = setup
    call = campaign.calls.get()
    password_only = Client()
    password_only.force_login(w.callers[0], backend="maillage.core.auth_backends.EmailBackend")
    for client, status in ((password_only, 403), (Client(), 401)):
        for response in (_next(client, campaign), _outcome(client, call.pk, {"outcome": "deceased", "version": 1})):
            assert response.status_code == status
            assert set(response.json()) == {"message", "extra"}
    assert Call.objects.get(pk=call.pk).status == CallStatus.ASSIGNED


def test_a_post_without_the_csrf_token_is_refused(setup):
    w, campaign = setup
    client = login_verified(Client(enforce_csrf_checks=True), w.callers[0])
    response = _next(client, campaign)
    assert response.status_code == 403 and "CSRF" in response.json()["message"]
    client.get(reverse("core:dashboard"))  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        reverse("register_api:next_call", kwargs={"pk": campaign.pk}), headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200


# --- Cost of a request ----------------------------------------------------------------------------------

# What one next-call request reads and writes, once the session is signed in (decision « perf »): the
# session, the user, their second factor, their memberships (middlewares); the rate limit (one upsert);
# the caller's profile (asked once per request, however many rules ask); the campaign; in one
# transaction the caller's place in the campaign and their next call; the call's grant; the access
# line; the sheet (address with its commune, the latest needs, phones, e-mails, relations). It was 31.
NEXT_CALL_QUERIES = 18


def test_a_next_call_request_costs_a_fixed_number_of_queries(django_assert_num_queries):
    w = cw.world(callers=1)
    for _ in range(2):
        entry = cw.entry(w)
        PersonAddressFactory(person=entry.person, is_current=True)
        PersonPhoneFactory(person=entry.person)
    campaign = cw.open_campaign(w, crisis=cw.crisis(w))
    client = _client(w.callers[0])
    first = _next(client, campaign)
    assert first.status_code == 200
    call = Call.objects.get(pk=first.json()["id"])
    call_services.call_record_outcome(actor=w.callers[0], call=call, outcome=Outcome.REACHED_FINE)
    with django_assert_num_queries(NEXT_CALL_QUERIES):
        second = _next(client, campaign)
    assert second.status_code == 200 and second.json()["id"] != first.json()["id"]
    assert second.json()["sheet"]["identity"]["last_name"]
    assert AuditLogEntry.objects.filter(action=AuditLogEntry.Action.ACCESS, actor=w.callers[0]).count() == 2


def test_a_charter_withdrawn_between_two_requests_refuses_the_next_one(setup):
    """The caller's profile is read once per request, never kept from one request to the next."""
    from maillage.volunteers.models import CallerProfile

    w, campaign = setup
    client = _client(w.callers[0])
    assert _next(client, campaign).status_code == 200
    CallerProfile.objects.filter(user=w.callers[0]).update(is_active=False)
    assert _next(client, campaign).status_code == 404


# --- OpenAPI --------------------------------------------------------------------------------------------


def test_both_operations_are_in_the_openapi_document(client):
    document = client.get(reverse("api:openapi")).json()
    next_call = document["paths"]["/campaigns/{id}/next-call"]["post"]
    outcome = document["paths"]["/calls/{id}/outcome"]["post"]
    assert set(next_call["responses"]) >= {"200", "204", "401", "403", "404", "409"}
    assert set(outcome["responses"]) >= {"200", "400", "401", "403", "404", "409"}
    assert outcome["requestBody"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/OutcomeIn"
    assert {p["name"] for p in outcome["parameters"]} == {"id", "Idempotency-Key"}
    assert next_call["security"] == [{"session": [], "csrf": []}]
    schemas = document["components"]["schemas"]
    assert {"NextCall", "CallSheet", "OutcomeIn", "CallState", "Error"} <= set(schemas)
    assert set(schemas["CallSheet"]["properties"]) == SHEET_KEYS
    assert set(document["components"]["securitySchemes"]) == {"session", "csrf", "partnerKey"}
    assert "/services" in document["paths"]  # the directory's, unchanged
    assert Outcome.NOT_REACHED in json.dumps(schemas["OutcomeIn"])
