"""The live crisis dashboard: counts by commune and by caller in a fixed number of queries, the
htmx fragment, alerts handled from it, and the dashboard panel."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from maillage.core.enums import Role
from maillage.core.exceptions import ApplicationError
from maillage.register import crises_selectors as selectors
from maillage.register.enums import CallStatus
from maillage.register.services import crises as services
from tests.conftest import login_verified
from tests.core.factories import MembershipFactory, UserFactory
from tests.register.crisis_factories import (
    CallFactory,
    CampaignFactory,
    CrisisEntryFactory,
    CrisisFactory,
    EscalationFactory,
    rennes_and_cesson,
)


@pytest.fixture
def world(db):
    organisation, manager, rennes, cesson = rennes_and_cesson()
    crisis = CrisisFactory(organisation=organisation, communes=[rennes, cesson])
    campaign = CampaignFactory(crisis=crisis)
    return organisation, manager, crisis, campaign, rennes, cesson


def _call(campaign, commune, caller=None, **kwargs):
    entry = CrisisEntryFactory(organisation=campaign.organisation, commune=commune)
    return CallFactory(campaign=campaign, entry=entry, person=entry.person, assigned_to=caller, **kwargs)


def _fill(world, n=1):
    _, _, _, campaign, rennes, cesson = world
    alice = UserFactory(first_name="Alice", last_name="Appelante")
    bruno = UserFactory(first_name="Bruno", last_name="Bénévole")
    for _ in range(n):
        _call(campaign, rennes, alice, status=CallStatus.DONE, outcome="reached_fine")
        _call(campaign, rennes, alice, status=CallStatus.RETRY, outcome="not_reached", attempts=1)
        call = _call(campaign, rennes, bruno, status=CallStatus.DONE, outcome="unreachable", attempts=3)
        EscalationFactory(call=call)
        EscalationFactory(call=call, reason="danger")  # two alerts on one call: it counts once
        _call(campaign, cesson, bruno, status=CallStatus.ASSIGNED)
        _call(campaign, cesson, None, status=CallStatus.TO_DO)
        _call(campaign, cesson, None, status=CallStatus.CANCELLED)
    return alice, bruno


def test_counts_by_commune_and_by_caller(world):
    _fill(world)
    board = selectors.crisis_dashboard(world[2])
    assert board.totals == {
        "total": 6,
        "done": 1,
        "pending": 2,
        "failed": 1,
        "unreachable": 1,
        "cancelled": 1,
        "escalated": 1,
    }
    communes = {row.label: row.counts for row in board.by_commune}
    assert communes["Rennes"]["done"] == 1 and communes["Rennes"]["failed"] == 1
    assert communes["Rennes"]["unreachable"] == 1 and communes["Rennes"]["escalated"] == 1
    assert communes["Cesson-Sévigné"]["pending"] == 2
    callers = {row.label: row.counts for row in board.by_caller}
    assert callers["Alice Appelante"]["total"] == 2
    assert callers["Bruno Bénévole"]["unreachable"] == 1 and callers["Bruno Bénévole"]["pending"] == 1
    assert callers[selectors.NOT_ASSIGNED]["pending"] == 1
    assert [row.label for row in board.by_caller][-1] == selectors.NOT_ASSIGNED


def test_a_person_without_a_current_address_is_counted(world):
    _, _, crisis, campaign, rennes, _ = world
    call = _call(campaign, rennes)
    call.person.addresses.update(is_current=False)
    board = selectors.crisis_dashboard(crisis)
    assert [(row.label, row.counts["total"]) for row in board.by_commune] == [(selectors.NO_COMMUNE, 1)]


def test_counts_for_one_campaign(world):
    _fill(world)
    other = CampaignFactory(crisis=world[2])
    _call(other, world[4], status=CallStatus.TO_DO)
    assert selectors.crisis_dashboard(world[2], other).totals["total"] == 1
    assert selectors.crisis_dashboard(world[2]).totals["total"] == 7


def test_dashboard_query_count_does_not_grow_with_the_calls(world, client, django_assert_max_num_queries):
    _fill(world, n=1)
    login_verified(client, world[1])
    url = reverse("crises:dashboard", args=[world[2].pk])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url, HTTP_HX_REQUEST="true").status_code == 200
    _fill(world, n=5)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url, HTTP_HX_REQUEST="true").status_code == 200
    assert len(large) == len(small)
    # Session, user, memberships, crisis, alerts, 3 aggregates, campaigns: pinned.
    assert len(large) <= 12, [q["sql"] for q in large.captured_queries]


def test_fragment_is_the_page_region(world, client):
    _fill(world)
    login_verified(client, world[1])
    url = reverse("crises:dashboard", args=[world[2].pk])
    page = client.get(url).content.decode()
    fragment = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 30s"' in page
    assert "<html" not in fragment and "Mis à jour à" in fragment
    start = page.index('<div id="tableau-crise"')
    region = page[page.index(">", start) + 1 :]
    assert fragment.strip()[:200] in region
    # Every focusable element of the refreshed region has an id: htmx gives the focus back to it.
    for marker in ('tabindex="0"', 'class="govuk-link"'):
        index = fragment.find(marker)
        while index != -1:
            tag = fragment[fragment.rfind("<", 0, index) : fragment.find(">", index)]
            assert " id=" in tag, tag
            index = fragment.find(marker, index + 1)


def test_manager_handles_an_alert(world, client):
    _, manager, crisis, campaign, rennes, _ = world
    escalation = EscalationFactory(call=_call(campaign, rennes, status=CallStatus.DONE, outcome="unreachable"))
    login_verified(client, manager)
    board = client.get(reverse("crises:dashboard", args=[crisis.pk])).content.decode()
    assert escalation.entry.person.full_name in board
    url = reverse("crises:escalation_handle", args=[escalation.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"handling": "other", "handling_note": ""})
    assert response.status_code == 200 and "Précisez la suite donnée." in response.content.decode()
    response = client.post(url, {"handling": "home_visit", "handling_note": "Passage de l'agent à 15 h"})
    assert response.status_code == 302
    escalation.refresh_from_db()
    assert escalation.handled_by == manager and escalation.handling == "home_visit" and escalation.handled_at
    board = client.get(reverse("crises:dashboard", args=[crisis.pk])).content.decode()
    assert "Aucune alerte à traiter." in board
    with pytest.raises(ApplicationError):
        services.escalation_handle(
            actor=manager, organisation=world[0], escalation=escalation, handling="other", note="encore"
        )


def test_alerts_stay_after_the_end_of_the_crisis(world, client):
    _, manager, crisis, campaign, rennes, _ = world
    escalation = EscalationFactory(call=_call(campaign, rennes, status=CallStatus.DONE, outcome="unreachable"))
    services.crisis_end(actor=manager, organisation=world[0], crisis=crisis)
    login_verified(client, manager)
    dashboard = client.get(reverse("core:dashboard")).content.decode()
    assert "Alertes à traiter" in dashboard and escalation.entry.person.full_name in dashboard


def test_another_organisations_alert_is_404(world, client):
    stranger = EscalationFactory()
    login_verified(client, world[1])
    assert client.get(reverse("crises:escalation_handle", args=[stranger.pk])).status_code == 404


def test_dashboard_panel_for_manager_and_director(world, client):
    _fill(world)
    login_verified(client, world[1])
    body = client.get(reverse("core:dashboard")).content.decode()
    assert "Crises en cours" in body and "2 alertes à traiter" in body
    login_verified(client, MembershipFactory(organisation=world[0], role=Role.DIRECTOR).user)
    body = client.get(reverse("core:dashboard")).content.decode()
    assert "Crises en cours" in body and "Alertes à traiter" not in body
    login_verified(client, MembershipFactory(organisation=world[0], role=Role.COORDINATOR).user)
    assert "Crises en cours" not in client.get(reverse("core:dashboard")).content.decode()
