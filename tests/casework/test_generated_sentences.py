"""The sentences Maillage writes itself, read as a person reads them: the timeline's « … signé(e)(s) »
agrees with each kind of assessment, the dashboard names each role with elision, the care-team and
file messages elide before a vowel (core.grammar)."""

import datetime
import html

import pytest
from django.urls import reverse

from maillage.casework.models import AssessmentKind
from maillage.casework.models.requests import RequestChannel, RequesterKind
from maillage.casework.selectors.timeline import timeline_for
from maillage.core.access import person_grant
from maillage.core.enums import Role
from maillage.people.enums import Sex
from tests.casework.factories_assessments import AssessmentFactory, AssessmentVersionFactory
from tests.core.factories import MembershipFactory
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("kind", "title"),
    [
        (AssessmentKind.NEEDS, "Les dix besoins essentiels signés (version 1)"),
        (AssessmentKind.AGGIR, "Grille AGGIR (autonomie) signée (version 1)"),
        (AssessmentKind.FRAGILITY, "Repérage de la fragilité signé (version 1)"),
        (AssessmentKind.CARER, "Situation de l'aidant·e signée (version 1)"),
    ],
)
def test_timeline_title_of_a_signed_assessment_agrees_with_its_kind(kind, title):
    coordinator = MembershipFactory(role=Role.COORDINATOR)
    person = PersonFactory(organisation=coordinator.organisation)
    assessment = AssessmentFactory(person=person, kind=kind, created_by=coordinator.user)
    AssessmentVersionFactory(assessment=assessment, number=1, signed=True, gir=None, answers={})
    grant = person_grant(coordinator.user, coordinator.organisation, person)
    events = timeline_for(grant=grant, kinds=["assessment"])
    assert [event.title for event in events] == [title]


@pytest.mark.parametrize(
    ("role", "sentence"),
    [
        (Role.RECEPTION_AGENT, "Vous travaillez pour le CCAS d'Acigné en tant qu'agent d'accueil."),
        (Role.ADMIN, "Vous travaillez pour le CCAS d'Acigné en tant qu'administrateur·rice."),
        (Role.DIRECTOR, "Vous travaillez pour le CCAS d'Acigné en tant que membre de la direction ou élu·e."),
        (Role.VOLUNTEER, "Vous travaillez pour le CCAS d'Acigné en tant que bénévole."),
    ],
)
def test_dashboard_sentence_names_the_role_with_elision(member_client, role, sentence):
    client, _membership = member_client(role=role, organisation__name="CCAS d'Acigné")
    text = html.unescape(client.get(reverse("core:dashboard")).content.decode())
    plain = text.replace("<strong>", "").replace("</strong>", "")
    assert sentence in plain


def test_care_team_and_file_messages_elide_before_a_vowel(member_client):
    client, membership = member_client(role=Role.COORDINATOR)
    person = PersonFactory(organisation=membership.organisation, first_names="Émile", last_name="Roux")
    response = client.get(reverse("casework:timeline", args=[person.pk]))
    assert "Chronologie d'Émile ROUX" in html.unescape(response.content.decode())
    response = client.get(reverse("people:detail", args=[person.pk]))
    assert 'aria-label="Le dossier d&#x27;Émile ROUX"' in response.content.decode()


@pytest.mark.parametrize(
    ("sex", "born"), [(Sex.FEMALE, "née le 09/10/1941"), (Sex.MALE, "né le 09/10/1941"), (Sex.UNKNOWN, "né·e le")]
)
def test_reception_person_choice_agrees_born_with_the_person(member_client, sex, born):
    client, membership = member_client(role=Role.RECEPTION_AGENT)
    PersonFactory(
        organisation=membership.organisation,
        last_name="Oberlin",
        first_names="Ange",
        sex=sex,
        birth_date=datetime.date(1941, 10, 9),
    )
    text = html.unescape(client.get(reverse("casework:reception_persons"), {"q": "Oberlin"}).content.decode())
    assert born in text
    assert ("né·e" in text) == (sex == Sex.UNKNOWN)


def test_birth_name_agrees_with_the_person():
    assert PersonFactory.build(
        first_names="Louis", last_name="Durand", birth_name="Petit", sex=Sex.MALE
    ).full_name == ("Louis DURAND (né PETIT)")
    assert PersonFactory.build(first_names="Ève", last_name="Durand", birth_name="Petit").full_name == (
        "Ève DURAND (née PETIT)"
    )


@pytest.mark.parametrize(
    "url_name", ["people:edit", "people:consent_create", "casework:care_team", "casework:contact_create"]
)
def test_back_links_elide_before_a_vowel(member_client, url_name):
    client, membership = member_client(role=Role.COORDINATOR)
    person = PersonFactory(organisation=membership.organisation, first_names="Odette", last_name="Martin")
    text = html.unescape(client.get(reverse(url_name, args=[person.pk])).content.decode())
    assert "fiche d'Odette MARTIN" in text
    assert "de Odette" not in text


def test_reception_done_offers_the_timeline_with_elision(member_client):
    client, membership = member_client(role=Role.RECEPTION_AGENT)
    person = PersonFactory(organisation=membership.organisation, first_names="Odette", last_name="Martin")
    response = client.post(
        reverse("casework:reception"),
        {
            "person": person.pk,
            "requester_kind": RequesterKind.PERSON,
            "channel": RequestChannel.PHONE,
            "level": "1",
            "outcome": "answered",
            "time_spent_minutes": "5",
        },
        follow=True,
    )
    text = html.unescape(response.content.decode())
    assert "Chronologie d'Odette MARTIN" in text


def test_partner_dashboard_says_who_contacts_them_in_french(member_client):
    client, _membership = member_client(role=Role.PARTNER)
    text = html.unescape(client.get(reverse("core:dashboard")).content.decode())
    assert "une structure qui vous adresse une personne vous contacte directement" in text
    assert "vous oriente une personne" not in text
