"""Issue 11, points 1–3: the reception's draft across « Nouvelle personne », no request silently
recorded as anonymous, and next steps that someone owns (call-backs, orientations), edited,
closed, filtered, listed on the reception's page and dashboard."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from maillage.casework.models import Request
from maillage.casework.models.requests import RequesterKind, RequestOutcome
from maillage.casework.selectors.callbacks import callback_list, reception_panel
from maillage.casework.selectors.requests import request_list
from maillage.casework.services.requests import request_close, request_create, request_update
from maillage.casework.views.reception import DRAFTS_SESSION_KEY
from maillage.core.enums import Role
from maillage.core.exceptions import ApplicationError
from maillage.core.models import AuditLogEntry
from maillage.directory.models import Taxonomy
from maillage.people.models import Person
from tests.casework.factories import RequestFactory
from tests.core.factories import MembershipFactory, OrganisationFactory
from tests.directory.factories import ServiceFactory, term
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

RECEPTION = "/accueil/"


@pytest.fixture
def agent(member_client):
    return member_client(role=Role.RECEPTION_AGENT)


def _post(client, **data):
    payload = {
        "requester_kind": RequesterKind.PERSON,
        "channel": "phone",
        "level": "1",
        "outcome": "answered",
        "time_spent_minutes": "5",
    }
    payload.update(data)
    return client.post(reverse("casework:reception"), payload)


def _create(membership, **kwargs):
    data = {"requester_kind": RequesterKind.PERSON, "outcome": RequestOutcome.ANSWERED, "time_spent_minutes": 5}
    data.update(kwargs)
    return request_create(actor=membership.user, organisation=membership.organisation, **data)


# --- Point 2: no person and « anonyme » not ticked is refused -------------------------------------


@pytest.mark.parametrize("kind", [RequesterKind.PERSON, RequesterKind.RELATIVE, RequesterKind.PROFESSIONAL])
def test_reception_refuses_a_request_without_person_nor_anonymous(agent, kind):
    client, _ = agent
    response = _post(client, requester_kind=kind, requester_name="Paul", requester_organisation="SSIAD")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'href="#recherche-personne">Personne concernée</a> : Aucune personne n&#x27;est choisie' in body
    assert not Request.objects.exists()


def test_reception_records_anonymous_only_when_ticked(agent):
    client, _ = agent
    response = _post(client, person="anonymous", requester_kind=RequesterKind.RELATIVE, requester_name="Paul")
    assert response.status_code == 302
    request = Request.objects.get()
    assert request.person is None and request.requester_kind == RequesterKind.RELATIVE


def test_request_create_refuses_no_person_without_the_anonymous_flag():
    membership = MembershipFactory(role=Role.RECEPTION_AGENT)
    with pytest.raises(ValidationError) as exc_info:
        _create(membership, requester_kind=RequesterKind.RELATIVE, requester_name="Paul")
    assert "Aucune personne n'est choisie" in exc_info.value.message_dict["person"][0]
    assert _create(membership, requester_kind=RequesterKind.RELATIVE, anonymous=True).person is None


# --- Point 3: next steps owned, due, open/closed; orientation to a directory service --------------


def test_call_back_is_owned_by_the_agent_and_due_tomorrow_by_default():
    membership = MembershipFactory(role=Role.RECEPTION_AGENT)
    request = _create(membership, anonymous=True, outcome=RequestOutcome.CALL_BACK)
    assert request.follow_up_owner == membership.user
    assert request.follow_up_due == timezone.localdate() + datetime.timedelta(days=1)
    assert request.is_follow_up_open and not request.is_overdue


def test_other_next_steps_are_due_within_a_week_and_answered_has_none():
    membership = MembershipFactory(role=Role.RECEPTION_AGENT)
    planned = _create(membership, anonymous=True, outcome=RequestOutcome.ASSESSMENT_PLANNED)
    assert planned.follow_up_due == timezone.localdate() + datetime.timedelta(days=7)
    colleague = MembershipFactory(organisation=membership.organisation, role=Role.COORDINATOR).user
    answered = _create(membership, anonymous=True, follow_up_owner=colleague)
    assert answered.follow_up_owner is None and answered.follow_up_due is None


def test_next_step_goes_to_a_colleague_who_logs_requests_only():
    membership = MembershipFactory(role=Role.RECEPTION_AGENT)
    colleague = MembershipFactory(organisation=membership.organisation, role=Role.COORDINATOR).user
    request = _create(membership, anonymous=True, outcome=RequestOutcome.CALL_BACK, follow_up_owner=colleague)
    assert request.follow_up_owner == colleague
    for outsider in (
        MembershipFactory(organisation=membership.organisation, role=Role.VOLUNTEER).user,
        MembershipFactory(organisation=membership.organisation, role=Role.PARTNER).user,
        MembershipFactory(role=Role.RECEPTION_AGENT).user,  # another organisation
        MembershipFactory(organisation=membership.organisation, role=Role.COORDINATOR, is_active=False).user,
    ):
        with pytest.raises(ValidationError) as exc_info:
            _create(membership, anonymous=True, outcome=RequestOutcome.CALL_BACK, follow_up_owner=outsider)
        assert "ne peut pas donner suite" in exc_info.value.message_dict["follow_up_owner"][0]


def test_due_date_before_the_request_is_refused():
    membership = MembershipFactory(role=Role.RECEPTION_AGENT)
    with pytest.raises(ValidationError) as exc_info:
        _create(
            membership,
            anonymous=True,
            outcome=RequestOutcome.CALL_BACK,
            follow_up_due=timezone.localdate() - datetime.timedelta(days=1),
        )
    assert "avant la date de la demande" in exc_info.value.message_dict["follow_up_due"][0]


def test_orientation_names_a_directory_service_and_keeps_the_date():
    membership = MembershipFactory(role=Role.RECEPTION_AGENT)
    with pytest.raises(ValidationError) as exc_info:
        _create(membership, anonymous=True, outcome=RequestOutcome.ORIENTED)
    assert "Choisissez dans l'annuaire" in exc_info.value.message_dict["oriented_to"][0]
    clic = ServiceFactory(name="CLIC du Pays de Rennes")
    request = _create(membership, anonymous=True, outcome=RequestOutcome.ORIENTED, oriented_to=clic)
    assert request.oriented_to == clic
    assert request.oriented_on == timezone.localdate()
    assert request.follow_up_owner == membership.user  # an orientation is followed up too
    assert list(clic.casework_orientations.all()) == [request]  # the trace referrals will read
    hidden = ServiceFactory(draft=True)  # another organisation's draft
    with pytest.raises(ValidationError):
        _create(membership, anonymous=True, outcome=RequestOutcome.ORIENTED, oriented_to=hidden)


def test_reception_form_asks_for_the_partner_when_oriented(agent):
    client, _ = agent
    response = _post(client, person="anonymous", outcome="oriented")
    assert 'href="#recherche-partenaire">Service partenaire</a>' in response.content.decode()
    clic = ServiceFactory(name="CLIC du Pays de Rennes")
    assert _post(client, person="anonymous", outcome="oriented", oriented_to=clic.pk).status_code == 302
    assert Request.objects.get().oriented_to == clic


def test_partner_search_lists_directory_services(agent):
    client, _ = agent
    clic = ServiceFactory(name="CLIC du Pays de Rennes", description="Information des personnes âgées")
    ServiceFactory(name="Épicerie solidaire")
    response = client.get(reverse("casework:reception_partners"), {"pq": "clic"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert f'name="oriented_to" value="{clic.pk}" form="form-demande"' in body
    assert "Épicerie solidaire" not in body


def test_request_list_filters_call_backs_mine_and_overdue(agent):
    client, membership = agent
    org, me = membership.organisation, membership.user
    colleague = MembershipFactory(organisation=org, role=Role.COORDINATOR).user
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    mine = RequestFactory(
        organisation=org, outcome="call_back", follow_up_owner=me, follow_up_due=timezone.localdate()
    )
    late = RequestFactory(
        organisation=org,
        outcome="call_back",
        follow_up_owner=colleague,
        follow_up_due=yesterday,
        received_at=timezone.now() - datetime.timedelta(days=3),
    )
    planned = RequestFactory(
        organisation=org, outcome="assessment_planned", follow_up_owner=me, follow_up_due=timezone.localdate()
    )
    closed = RequestFactory(
        organisation=org,
        outcome="call_back",
        follow_up_owner=me,
        follow_up_due=yesterday,
        closed_at=timezone.now(),
        closing_note="Rappelée",
    )
    RequestFactory(organisation=org)  # answered
    RequestFactory(outcome="call_back", follow_up_owner=me, follow_up_due=yesterday)  # another organisation

    def ids(value):
        return set(request_list(actor=me, organisation=org, filters={"follow_up": value}).values_list("pk", flat=True))

    assert ids("a_rappeler") == {mine.pk, late.pk}
    assert ids("ouvertes") == {mine.pk, late.pk, planned.pk}
    assert ids("miennes") == {mine.pk, planned.pk}
    assert ids("en_retard") == {late.pk}
    assert ids("closes") == {closed.pk}
    page = client.get(reverse("casework:request_list"), {"follow_up": "en_retard"}).content.decode()
    assert reverse("casework:request_detail", args=[late.pk]) in page
    assert reverse("casework:request_detail", args=[mine.pk]) not in page
    assert "En retard" in page


def test_callbacks_page_lists_mine_then_everyones_earliest_first(agent):
    client, membership = agent
    org, me = membership.organisation, membership.user
    colleague = MembershipFactory(organisation=org, role=Role.COORDINATOR, user__last_name="Collègue").user
    today = timezone.localdate()
    later = RequestFactory(
        organisation=org, outcome="call_back", follow_up_owner=me, follow_up_due=today + datetime.timedelta(days=2)
    )
    sooner = RequestFactory(organisation=org, outcome="call_back", follow_up_owner=me, follow_up_due=today)
    theirs = RequestFactory(organisation=org, outcome="call_back", follow_up_owner=colleague, follow_up_due=today)
    assert list(callback_list(actor=me, organisation=org)) == [sooner, later]
    page = client.get(reverse("casework:callbacks")).content.decode()
    assert page.index(f"/demandes/{sooner.pk}/") < page.index(f"/demandes/{later.pk}/")
    assert f"/demandes/{theirs.pk}/" not in page
    everyone = client.get(reverse("casework:callbacks"), {"qui": "tous"}).content.decode()
    assert f"/demandes/{theirs.pk}/" in everyone


def test_request_edit_changes_the_outcome_and_is_audited(agent):
    client, membership = agent
    person = PersonFactory(organisation=membership.organisation)
    request = RequestFactory(organisation=membership.organisation, person=person, notes="Premier appel")
    need = term(Taxonomy.NEEDS, "se-nourrir")
    url = reverse("casework:request_edit", args=[request.pk])
    assert client.get(url).status_code == 200
    due = timezone.localdate() + datetime.timedelta(days=3)
    response = client.post(
        url,
        {
            "requester_kind": "person",
            "channel": "phone",
            "level": "1",
            "subjects": [need.pk],
            "outcome": "call_back",
            "time_spent_minutes": "10",
            "notes": "Rappeler après 14 h",
            "follow_up_owner": membership.user.pk,
            "follow_up_due": due.isoformat(),
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.outcome, request.follow_up_due, request.notes) == ("call_back", due, "Rappeler après 14 h")
    assert request.person == person
    assert AuditLogEntry.objects.filter(
        content_type__model="request", object_pk=str(request.pk), action=AuditLogEntry.Action.UPDATE
    ).exists()


def test_request_close_needs_a_note_and_closes_once(agent):
    client, membership = agent
    request = RequestFactory(
        organisation=membership.organisation,
        outcome="call_back",
        follow_up_owner=membership.user,
        follow_up_due=timezone.localdate(),
    )
    url = reverse("casework:request_close", args=[request.pk])
    empty = client.post(url, {"note": " "})
    assert "Indiquez l&#x27;issue de la demande" in empty.content.decode()
    assert client.post(url, {"note": "Rappelée, rendez-vous pris"}).status_code == 302
    request.refresh_from_db()
    assert request.closed_by == membership.user and request.closing_note == "Rappelée, rendez-vous pris"
    assert not request.is_follow_up_open
    with pytest.raises(ApplicationError, match="déjà close"):
        request_close(actor=membership.user, organisation=membership.organisation, request=request, note="Encore")
    detail = client.get(reverse("casework:request_detail", args=[request.pk])).content.decode()
    assert "Rappelée, rendez-vous pris" in detail and "Clore la demande" not in detail


def test_request_of_another_organisation_cannot_be_edited_or_closed():
    membership = MembershipFactory(role=Role.RECEPTION_AGENT)
    other = RequestFactory(organisation=OrganisationFactory(), outcome="call_back")
    with pytest.raises(ApplicationError):
        request_update(actor=membership.user, organisation=membership.organisation, request=other, notes="x")
    with pytest.raises(ApplicationError):
        request_close(actor=membership.user, organisation=membership.organisation, request=other, note="x")


def test_director_reads_but_cannot_edit_a_request():
    membership = MembershipFactory(role=Role.DIRECTOR)
    request = RequestFactory(organisation=membership.organisation)
    with pytest.raises(ApplicationError):
        request_update(actor=membership.user, organisation=membership.organisation, request=request, notes="x")


def test_reception_panel_shows_todays_requests_and_my_open_call_backs(agent, django_assert_max_num_queries):
    client, membership = agent
    org, me = membership.organisation, membership.user
    today_request = RequestFactory(organisation=org, person__last_name="Aujourdhui")
    RequestFactory(organisation=org, received_at=timezone.now() - datetime.timedelta(days=2))
    late = RequestFactory(
        organisation=org,
        outcome="call_back",
        follow_up_owner=me,
        follow_up_due=timezone.localdate() - datetime.timedelta(days=1),
        received_at=timezone.now() - datetime.timedelta(days=2),
    )
    with django_assert_max_num_queries(6):  # 4, and the memberships read twice outside a request
        panel = reception_panel(actor=me, organisation=org)
    assert panel.today_count == 1 and panel.today == [today_request]
    assert (panel.callbacks_count, panel.overdue_count, panel.callbacks) == (1, 1, [late])
    page = client.get(reverse("core:dashboard")).content.decode()
    assert AuditLogEntry.objects.filter(
        actor=me, action=AuditLogEntry.Action.ACCESS, changes_text="Tableau de bord de l'accueil : 2 fiches affichées"
    ).exists()
    assert "Accueil du jour" in page
    assert "Mes rappels et suites : 1 dont 1 en retard" in page
    assert reverse("casework:request_detail", args=[late.pk]) in page


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.PARTNER, Role.DIRECTOR, Role.ADMIN])
def test_reception_panel_is_not_shown_to_roles_that_do_not_log_requests(member_client, role):
    client, membership = member_client(role=role)
    RequestFactory(organisation=membership.organisation, person__last_name="Cachée")
    assert reception_panel(actor=membership.user, organisation=membership.organisation) is None
    page = client.get(reverse("core:dashboard")).content.decode()
    assert "Accueil du jour" not in page and "Cachée".upper() not in page


# --- Point 1: what was typed survives « Nouvelle personne » --------------------------------------


def test_new_person_keeps_the_draft_and_brings_it_back_with_the_new_file(agent):
    client, membership = agent
    need = term(Taxonomy.NEEDS, "se-nourrir")
    meals = ServiceFactory(name="Portage de repas")
    response = client.post(
        reverse("casework:reception_draft"),
        {
            "requester_kind": "relative",
            "requester_name": "Paul Lefèvre",
            "channel": "walk_in",
            "subjects": [need.pk],
            "outcome": "call_back",
            "notes": "Sa mère rentre de l'hôpital jeudi",
            "services_given": [meals.pk],
            "time_spent_minutes": "12",
        },
    )
    assert response.status_code == 302
    token = next(iter(client.session[DRAFTS_SESSION_KEY]))
    back = f"{RECEPTION}?brouillon={token}"
    assert response["Location"].startswith(reverse("people:create") + "?next=")
    form_page = client.get(response["Location"]).content.decode()
    assert f'href="{back}"' in form_page and "Revenir sans créer la fiche" in form_page
    created = client.post(
        response["Location"],
        {
            "last_name": "Lefèvre",
            "first_names": "Odette",
            "sex": "F",
            "birth_date": "9/10/41",
            "lives_alone": "unknown",
            "housing": "unknown",
        },
    )
    person = Person.objects.get()
    assert created["Location"] == f"{back}&personne={person.pk}"
    page = client.get(created["Location"]).content.decode()
    assert "Votre saisie est reprise" in page
    assert "Sa mère rentre de l&#x27;hôpital jeudi" in page
    assert 'value="Paul Lefèvre"' in page
    assert f'value="{person.pk}" form="form-demande" checked' in page
    assert f'id="service-{meals.pk}" name="services_given" value="{meals.pk}" form="form-demande" checked' in page
    assert re.search(rf'value="{need.pk}"[^>]*checked', page)
    assert re.search(r'value="walk_in"[^>]*checked', page)
    assert "data-unsaved-draft" in page
    assert f'name="brouillon" value="{token}"' in page
    # Saving the request ends the draft.
    saved = _post(
        client,
        person=person.pk,
        requester_kind="relative",
        requester_name="Paul Lefèvre",
        outcome="call_back",
        brouillon=token,
    )
    assert saved.status_code == 302
    assert token not in client.session[DRAFTS_SESSION_KEY]


def test_draft_restores_checked_subjects_and_channel(agent):
    client, _ = agent
    need = term(Taxonomy.NEEDS, "se-nourrir")
    client.post(reverse("casework:reception_draft"), {"channel": "walk_in", "subjects": [need.pk]})
    token = next(iter(client.session[DRAFTS_SESSION_KEY]))
    page = client.get(RECEPTION, {"brouillon": token}).content.decode()
    assert re.search(rf'value="{need.pk}"[^>]*checked', page)
    assert re.search(r'value="walk_in"[^>]*checked', page)


def test_an_unknown_draft_gives_a_fresh_screen(agent):
    client, _ = agent
    page = client.get(RECEPTION, {"brouillon": "inconnu"}).content.decode()
    assert "Votre saisie est reprise" not in page and "data-unsaved-draft" not in page


def test_drafts_are_per_session_and_few(agent):
    client, _ = agent
    for n in range(8):
        client.post(reverse("casework:reception_draft"), {"notes": f"appel {n}"})
    drafts = client.session[DRAFTS_SESSION_KEY]
    assert len(drafts) == 5
    assert [d["notes"] for d in drafts.values()] == [[f"appel {n}"] for n in range(3, 8)]
