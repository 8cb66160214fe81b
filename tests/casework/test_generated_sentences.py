"""The sentences Maillage writes itself, read as a person reads them: the timeline's « … signé(e)(s) »
agrees with each kind of assessment, the dashboard names each role with elision, the care-team and
file messages elide before a vowel (core.grammar)."""

import html

import pytest
from django.urls import reverse

from maillage.casework.models import AssessmentKind
from maillage.casework.selectors.timeline import timeline_for
from maillage.core.access import person_grant
from maillage.core.enums import Role
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
