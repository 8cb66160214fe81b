"""The partner's inbox and the referrals on the person's timeline read a fixed number of queries, whatever
the number of referrals (bench/referrals.py times them at 100,000 referrals): a query per row would be
caught here. The inbox picks its page in the index, then reads the page's rows with their person,
service and sender, in its order."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from maillage.casework.selectors import timeline as timeline_module
from maillage.casework.selectors.timeline import timeline_for
from maillage.core.access.grants import person_grant
from maillage.core.enums import Role
from maillage.referrals import timeline as referrals_timeline
from maillage.referrals import views
from maillage.referrals.enums import ReferralStatus
from maillage.referrals.models import FirstContactEvent, ReferralEvent
from tests.conftest import login_verified
from tests.core.factories import MembershipFactory
from tests.directory.factories import ServiceFactory
from tests.people.factories import PersonFactory
from tests.referrals.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def ago(**kwargs):
    return timezone.now() - datetime.timedelta(**kwargs)


def _inbox(client, query=""):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("referrals:inbox") + query)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_the_inbox_reads_as_many_queries_for_many_referrals_as_for_few(client, django_assert_max_num_queries):
    service = ServiceFactory()
    ReferralFactory.create_batch(2, to_service=service)
    partner = MembershipFactory(organisation=service.organisation, role=Role.PARTNER)
    login_verified(client, partner.user)
    _inbox(client)  # the session's first request
    _body, few = _inbox(client)
    # Other senders, other persons, other services of the partner, every state.
    other_service = ServiceFactory(organisation=service.organisation)
    for status in (ReferralStatus.SENT, ReferralStatus.RECEIVED, ReferralStatus.ACCEPTED, ReferralStatus.CLOSED):
        ReferralFactory.create_batch(3, to_service=other_service, status=status)
    with django_assert_max_num_queries(few):
        response = client.get(reverse("referrals:inbox"))
    body = response.content.decode()
    assert "À traiter (8)" in body and "Acceptées et en cours (3)" in body and "Terminées (3)" in body
    with django_assert_max_num_queries(few):
        client.get(reverse("referrals:inbox") + "?etat=terminees")
    # The pages the benchmark times: the counts, the page's rows, the opening's line, the shell's reads.
    assert few <= 8


def test_the_inbox_shows_the_most_urgent_then_the_oldest_and_pages_the_rest(client, monkeypatch):
    monkeypatch.setattr(views, "INBOX_PER_PAGE", 3)
    service = ServiceFactory(name="Visites de convivialité")
    made = {
        "Normale-ancienne": ReferralFactory(to_service=service, sent_at=ago(days=9), person__last_name="Ancienne"),
        "Normale-récente": ReferralFactory(to_service=service, sent_at=ago(days=1), person__last_name="Recente"),
        "Urgente": ReferralFactory(
            to_service=service, urgency="urgent", sent_at=ago(days=2), person__last_name="Vite"
        ),
        "Semaine": ReferralFactory(
            to_service=service, urgency="soon", sent_at=ago(days=3), person__last_name="Bientot"
        ),
    }
    ReferralFactory(to_service=service, status=ReferralStatus.CLOSED, person__last_name="Finie")
    partner = MembershipFactory(organisation=service.organisation, role=Role.PARTNER)
    login_verified(client, partner.user)
    body, _queries = _inbox(client)
    assert "À traiter (4)" in body
    names = ["VITE", "BIENTOT", "ANCIENNE"]
    assert [body.index(name) for name in names] == sorted(body.index(name) for name in names)
    assert "RECENTE" not in body and "FINIE" not in body
    # Each row with its person, service and sender, read in the page's one query.
    urgent = made["Urgente"]
    assert urgent.person.full_name in body and urgent.from_organisation.name in body
    assert body.count("Visites de convivialité") == 3
    assert reverse("referrals:received_detail", args=[urgent.pk]) in body
    # The rest on the next page, the tab kept; a page beyond the last shows the last.
    assert 'href="?etat=a-traiter&amp;page=2"' in body and "1 / 2" in body
    for page in ("2", "9"):
        second = client.get(reverse("referrals:inbox"), {"etat": "a-traiter", "page": page}).content.decode()
        assert "RECENTE" in second and "VITE" not in second and "2 / 2" in second and "À traiter (4)" in second


def _history(referral, partner_user):
    """A referral's events as the services write them, and a first contact noted by the partner."""
    steps = [("", ReferralStatus.DRAFT), (ReferralStatus.DRAFT, ReferralStatus.SENT)]
    steps += [(ReferralStatus.SENT, ReferralStatus.RECEIVED), (ReferralStatus.RECEIVED, ReferralStatus.ACCEPTED)]
    for hours, (before, after) in enumerate(steps):
        by_partner = after in (ReferralStatus.RECEIVED, ReferralStatus.ACCEPTED)
        ReferralEvent.objects.create(
            referral=referral,
            actor=partner_user if by_partner else referral.sender,
            organisation=referral.to_organisation if by_partner else referral.from_organisation,
            at=ago(days=5) + datetime.timedelta(hours=hours),
            from_status=before,
            to_status=after,
        )
    FirstContactEvent.objects.create(
        referral=referral,
        actor=partner_user,
        organisation=referral.to_organisation,
        at=ago(days=4),
        summary="Rendez-vous pris pour la personne.",
    )


def test_the_referrals_on_the_timeline_read_one_query_per_source(monkeypatch, django_assert_max_num_queries):
    person = PersonFactory()
    coordinator = MembershipFactory(organisation=person.organisation, role=Role.COORDINATOR)
    partner_user = MembershipFactory(role=Role.PARTNER).user
    referrals = [
        ReferralFactory(
            person=person,
            from_organisation=person.organisation,
            sender=coordinator.user,
            to_service=ServiceFactory(name=f"Service {n}"),
        )
        for n in range(6)
    ]
    for referral in referrals:
        _history(referral, partner_user)
    mine = [s for s in timeline_module.TIMELINE_SOURCES if s.fetch.__module__ == referrals_timeline.__name__]
    assert len(mine) == 2
    monkeypatch.setattr(timeline_module, "TIMELINE_SOURCES", mine)
    grant = person_grant(coordinator.user, coordinator.organisation, person)
    with django_assert_max_num_queries(len(mine) + 1):  # + the grant's scope of the referrals, once
        events = timeline_for(grant=grant, limit=50)
    assert len(events) == 6 * 3 + 6  # sent, received, accepted (not the draft); a first contact each
    titles = {event.title for event in events}
    for referral in referrals:
        partner = referral.to_organisation.name
        assert f"Orientation envoyée à {referral.to_service.name} ({partner})" in titles
        assert f"Orientation acceptée par {partner}" in titles
        assert f"Premier contact avec {referral.to_service.name}" in titles
    authors = {event.author for event in events}
    assert coordinator.user.get_full_name() in authors
    assert {r.to_organisation.name for r in referrals} <= authors
