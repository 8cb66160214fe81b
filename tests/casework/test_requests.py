"""Requests and contacts: the services' checks (French messages), the access rules, the list and its counts."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from maillage.casework.models import Request
from maillage.casework.models.requests import ContactKind, RequestChannel, RequesterKind, RequestOutcome
from maillage.casework.selectors.requests import request_counts, request_list
from maillage.casework.services.requests import contact_create, request_create
from maillage.core import access
from maillage.core.enums import Role
from maillage.core.exceptions import ApplicationError
from maillage.directory.models import Taxonomy
from maillage.people.services import merge_relations, person_merge
from tests.casework.factories import RequestFactory, care_team_place
from tests.core.factories import MembershipFactory, OrganisationFactory
from tests.directory.factories import ServiceFactory, term
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    return MembershipFactory(role=Role.RECEPTION_AGENT)


def _create(membership, **kwargs):
    data = {"requester_kind": RequesterKind.PERSON, "outcome": RequestOutcome.ANSWERED, "time_spent_minutes": 5}
    data.update(kwargs)
    return request_create(actor=membership.user, organisation=membership.organisation, **data)


def _messages(exc_info) -> dict:
    return exc_info.value.message_dict


def test_request_create_logs_a_phone_request_with_subjects_and_services(agent):
    person = PersonFactory(organisation=agent.organisation)
    meals, home = ServiceFactory(name="Portage de repas"), ServiceFactory(name="Aide à domicile")
    need = term(Taxonomy.NEEDS, "se-nourrir")
    request = _create(
        agent, person=person, subjects=[need], services_given=[meals, home], channel=RequestChannel.PHONE
    )
    assert request.organisation == agent.organisation
    assert request.handled_by == agent.user
    assert set(request.services_given.all()) == {meals, home}
    assert list(request.subjects.all()) == [need]
    assert not request.is_anonymous


def test_request_create_anonymous_is_counted_without_person(agent):
    request = _create(agent, requester_kind=RequesterKind.ANONYMOUS)
    assert request.person is None
    assert request.is_anonymous
    counts = request_counts(request_list(actor=agent.user, organisation=agent.organisation))
    assert (counts.total, counts.anonymous, counts.with_person, counts.persons) == (1, 1, 0, 0)


def test_request_create_anonymous_with_a_person_is_refused(agent):
    person = PersonFactory(organisation=agent.organisation)
    with pytest.raises(ValidationError) as exc_info:
        _create(agent, person=person, requester_kind=RequesterKind.ANONYMOUS)
    assert _messages(exc_info)["person"] == ["Une demande anonyme ne peut pas être rattachée à une personne."]
    assert not Request.objects.exists()


@pytest.mark.parametrize(
    ("minutes", "message"),
    [
        (-1, "Le temps passé ne peut pas être négatif."),
        (601, "Le temps passé ne peut pas dépasser 600 minutes (10 heures)."),
    ],
)
def test_request_create_refuses_time_spent_out_of_bounds(agent, minutes, message):
    with pytest.raises(ValidationError) as exc_info:
        _create(agent, requester_kind=RequesterKind.ANONYMOUS, time_spent_minutes=minutes)
    assert message in _messages(exc_info)["time_spent_minutes"]


def test_request_create_accepts_the_bounds_of_time_spent(agent):
    assert _create(agent, requester_kind=RequesterKind.ANONYMOUS, time_spent_minutes=0).time_spent_minutes == 0
    assert _create(agent, requester_kind=RequesterKind.ANONYMOUS, time_spent_minutes=600).time_spent_minutes == 600


def test_request_create_refuses_a_date_in_the_future(agent):
    with pytest.raises(ValidationError) as exc_info:
        _create(
            agent,
            requester_kind=RequesterKind.ANONYMOUS,
            received_at=timezone.now() + datetime.timedelta(days=1),
        )
    assert _messages(exc_info)["received_at"] == ["La date ne peut pas être dans le futur."]


def test_request_create_reports_every_wrong_field_at_once(agent):
    with pytest.raises(ValidationError) as exc_info:
        _create(
            agent,
            requester_kind=RequesterKind.ANONYMOUS,
            outcome="",
            time_spent_minutes=900,
            subjects=[term(Taxonomy.PUBLICS, "aidants")],
            services_given=[ServiceFactory(draft=True)],
        )
    errors = _messages(exc_info)
    assert set(errors) == {"outcome", "time_spent_minutes", "subjects", "services_given"}
    assert errors["outcome"] == ["Ce champ ne peut pas être vide."]


def test_request_create_professional_needs_their_organisation(agent):
    person = PersonFactory(organisation=agent.organisation)
    with pytest.raises(ValidationError) as exc_info:
        _create(agent, person=person, requester_kind=RequesterKind.PROFESSIONAL, requester_name="Dr Martin")
    assert _messages(exc_info)["requester_organisation"] == [
        "Indiquez la structure du ou de la professionnel·le qui appelle."
    ]


def test_request_create_the_person_themself_needs_a_record(agent):
    with pytest.raises(ValidationError) as exc_info:
        _create(agent, requester_kind=RequesterKind.PERSON)
    assert "Demande anonyme" in _messages(exc_info)["person"][0]


def test_request_create_refuses_a_subject_outside_the_needs_and_domains(agent):
    public = term(Taxonomy.PUBLICS, "personnes-agees")
    with pytest.raises(ValidationError) as exc_info:
        _create(agent, requester_kind=RequesterKind.ANONYMOUS, subjects=[public])
    assert _messages(exc_info)["subjects"] == ["Objets hors des besoins et domaines proposés : Personnes âgées."]


def test_request_create_refuses_another_organisations_draft_service(agent):
    draft = ServiceFactory(draft=True)
    with pytest.raises(ValidationError) as exc_info:
        _create(agent, requester_kind=RequesterKind.ANONYMOUS, services_given=[draft])
    assert _messages(exc_info)["services_given"] == ["Un des services choisis n'est pas disponible dans l'annuaire."]


def test_request_create_accepts_own_draft_service(agent):
    draft = ServiceFactory(draft=True, organisation=agent.organisation)
    request = _create(agent, requester_kind=RequesterKind.ANONYMOUS, services_given=[draft])
    assert list(request.services_given.all()) == [draft]


def test_request_create_refuses_a_person_of_another_organisation(agent):
    stranger = PersonFactory()
    with pytest.raises(ApplicationError, match="Vous n'avez pas accès à la fiche de cette personne."):
        _create(agent, person=stranger)


def test_request_create_accepts_a_care_team_person_of_another_organisation(agent):
    shared = PersonFactory()
    care_team_place(shared, agent)
    request = _create(agent, person=shared)
    assert request.organisation == agent.organisation
    assert request.person == shared


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.PARTNER, Role.DIRECTOR, Role.DPO, Role.ADMIN])
def test_role_cannot_log_a_request(role):
    membership = MembershipFactory(role=role)
    with pytest.raises(ApplicationError, match="pas le droit d'enregistrer une demande"):
        _create(membership, requester_kind=RequesterKind.ANONYMOUS)


def test_contact_create_and_its_checks(agent):
    person = PersonFactory(organisation=agent.organisation)
    contact = contact_create(
        actor=agent.user, organisation=agent.organisation, person=person, kind=ContactKind.VISIT, summary=" Visite "
    )
    assert contact.summary == "Visite"
    assert contact.author == agent.user
    with pytest.raises(ValidationError) as exc_info:
        contact_create(
            actor=agent.user,
            organisation=agent.organisation,
            person=person,
            kind=ContactKind.PHONE_IN,
            summary="  ",
            duration_minutes=700,
            occurred_at=timezone.now() + datetime.timedelta(hours=2),
        )
    errors = _messages(exc_info)
    assert errors["summary"] == ["Résumez le contact en quelques mots."]
    assert errors["occurred_at"] == ["La date ne peut pas être dans le futur."]
    assert "Le temps passé ne peut pas dépasser 600 minutes (10 heures)." in errors["duration_minutes"]
    with pytest.raises(ApplicationError):
        contact_create(
            actor=agent.user, organisation=agent.organisation, person=PersonFactory(), kind="visit", summary="x"
        )


def test_request_list_filters_and_counts():
    membership = MembershipFactory(role=Role.COORDINATOR)
    org = membership.organisation
    now = timezone.now()
    meals = term(Taxonomy.NEEDS, "se-nourrir")
    RequestFactory(organisation=org, channel=RequestChannel.PHONE, level=1, subjects=[meals], time_spent_minutes=10)
    RequestFactory(organisation=org, channel=RequestChannel.WALK_IN, level=2, time_spent_minutes=30)
    RequestFactory(organisation=org, anonymous=True, received_at=now - datetime.timedelta(days=10))
    RequestFactory(anonymous=True)  # another organisation's: never counted

    def listed(**filters):
        return request_list(actor=membership.user, organisation=org, filters=filters)

    assert listed().count() == 3
    assert listed(channel=RequestChannel.WALK_IN).count() == 1
    assert listed(level=2).count() == 1
    assert listed(subject=meals).count() == 1
    assert listed(anonymous="yes").count() == 1
    assert listed(anonymous="no").count() == 2
    today = timezone.localdate()
    assert listed(date_from=today - datetime.timedelta(days=1), date_to=today).count() == 2
    counts = request_counts(listed())
    assert (counts.total, counts.anonymous, counts.with_person, counts.persons, counts.minutes) == (3, 1, 2, 2, 50)
    assert dict(counts.by_channel)["Téléphone"] == 2
    assert dict(counts.by_level)["Niveau 2 — évaluation et plan d'aide"] == 1


def test_request_list_is_empty_for_roles_not_reading_files():
    volunteer = MembershipFactory(role=Role.VOLUNTEER)
    RequestFactory(organisation=volunteer.organisation)
    assert not request_list(actor=volunteer.user, organisation=volunteer.organisation).exists()
    assert not access.can_view_requests(volunteer.user, volunteer.organisation)


def test_requests_and_contacts_follow_a_merge():
    moved = {(model._meta.label, field) for model, field in merge_relations()}
    assert ("casework.Request", "person") in moved
    assert ("casework.Contact", "person") in moved
    membership = MembershipFactory(role=Role.COORDINATOR)
    kept = PersonFactory(organisation=membership.organisation)
    duplicate = PersonFactory(organisation=membership.organisation)
    request = RequestFactory(organisation=membership.organisation, person=duplicate)
    person_merge(actor=membership.user, organisation=membership.organisation, kept=kept, duplicate=duplicate)
    request.refresh_from_db()
    assert request.person == kept


def test_a_request_stays_counted_when_its_person_is_deleted():
    request = RequestFactory()
    request.person.delete()
    request.refresh_from_db()
    assert request.person is None
    assert Request.objects.anonymous().count() == 1


def test_another_organisation_cannot_open_a_request():
    request = RequestFactory()
    stranger = MembershipFactory(role=Role.COORDINATOR, organisation=OrganisationFactory())
    from django.http import Http404

    with pytest.raises(Http404):
        access.get_request_for(stranger.user, stranger.organisation, request.pk)
