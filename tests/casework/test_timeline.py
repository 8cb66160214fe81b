"""The person's timeline: ordering, filtering, date-cursor pagination, query count, access and audit."""

import datetime
import html

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from maillage.casework.selectors import timeline as timeline_module
from maillage.casework.selectors.timeline import TimelineEvent, register_source, timeline_for, timeline_kinds
from maillage.core import grammar
from maillage.core.access import person_grant
from maillage.core.enums import Role
from maillage.core.models import AuditLogEntry
from tests.casework.factories import CareTeamMemberFactory, ContactFactory, RequestFactory, care_team_place
from tests.core.factories import MembershipFactory
from tests.people.factories import ConsentFactory, PersonFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def ago(**kwargs) -> datetime.datetime:
    return NOW - datetime.timedelta(**kwargs)


@pytest.fixture
def coordinator():
    return MembershipFactory(role=Role.COORDINATOR)


@pytest.fixture
def person(coordinator):
    return PersonFactory(organisation=coordinator.organisation)


@pytest.fixture
def history(coordinator, person):
    """One event of each kind, at known dates."""
    org = coordinator.organisation
    request = RequestFactory(organisation=org, person=person, received_at=ago(hours=1), notes="Demande d'APA")
    contact = ContactFactory(person=person, occurred_at=ago(days=1), summary="Appel à la fille")
    member = CareTeamMemberFactory(person=person, added_at=ago(days=2), removed_at=ago(hours=5))
    consent = ConsentFactory(person=person, given_on=timezone.localdate(ago(days=3)), recorded_by=coordinator.user)
    return {"request": request, "contact": contact, "member": member, "consent": consent}


def _timeline(membership, person, **kwargs):
    grant = person_grant(membership.user, membership.organisation, person)
    if grant is None:
        raise Http404("Personne introuvable.")
    return timeline_for(grant=grant, **kwargs)


def test_timeline_is_newest_first_with_every_kind(coordinator, person, history):
    events = _timeline(coordinator, person)
    assert [e.kind for e in events] == ["request", "care_team", "contact", "care_team", "consent"]
    assert [e.date for e in events] == sorted((e.date for e in events), reverse=True)
    request_event = events[0]
    assert request_event.url == reverse("casework:request_detail", args=[history["request"].pk])
    assert "Demande d'APA" in request_event.summary
    assert request_event.kind_label == "Demande"
    assert events[1].title == "Départ de l'équipe autour de la personne"
    assert not events.has_more


def test_timeline_filters_by_kind(coordinator, person, history):
    assert [e.kind for e in _timeline(coordinator, person, kinds=["contact"])] == ["contact"]
    assert {e.kind for e in _timeline(coordinator, person, kinds=["care_team", "consent"])} == {"care_team", "consent"}


def test_timeline_paginates_by_date_cursor(coordinator, person):
    for hours in range(1, 8):
        RequestFactory(organisation=coordinator.organisation, person=person, received_at=ago(hours=hours))
        ContactFactory(person=person, occurred_at=ago(hours=hours, minutes=30))
    seen = []
    before = None
    pages = 0
    while True:
        page = _timeline(coordinator, person, limit=4, before=before)
        seen += page
        pages += 1
        if not page.has_more:
            break
        before = page.next_before
    assert pages == 4
    assert len(seen) == 14
    assert len({e.key for e in seen}) == 14
    assert [e.date for e in seen] == sorted((e.date for e in seen), reverse=True)


def test_timeline_keeps_events_of_the_same_date_on_one_page(coordinator, person):
    same = ago(hours=2)
    for _ in range(3):
        RequestFactory(organisation=coordinator.organisation, person=person, received_at=same)
    RequestFactory(organisation=coordinator.organisation, person=person, received_at=ago(hours=3))
    first = _timeline(coordinator, person, limit=2)
    assert len(first) == 3
    assert first.has_more
    second = _timeline(coordinator, person, limit=2, before=first.next_before)
    assert len(second) == 1
    assert not second.has_more


def test_timeline_query_count_is_pinned(coordinator, person, django_assert_max_num_queries, monkeypatch):
    for hours in range(30):
        RequestFactory(organisation=coordinator.organisation, person=person, received_at=ago(hours=hours))
        ContactFactory(person=person, occurred_at=ago(hours=hours, minutes=10))
        CareTeamMemberFactory(person=person, added_at=ago(hours=hours, minutes=20))
        ConsentFactory(person=person, scope="sharing", partner=coordinator.organisation, recorded_by=coordinator.user)
    # This module's six sources (other modules' sources are pinned by their own tests).
    mine = [s for s in timeline_module.TIMELINE_SOURCES if s.fetch.__module__ == timeline_module.__name__]
    assert len(mine) == 6
    monkeypatch.setattr(timeline_module, "TIMELINE_SOURCES", mine)
    # The grant is decided once (per request); then one query per source, whatever the number of
    # events: the grant's scopes add no query.
    grant = person_grant(coordinator.user, coordinator.organisation, person)
    with django_assert_max_num_queries(len(mine)):
        events = timeline_for(grant=grant, limit=50)
    assert len(events) >= 50
    assert events.has_more


def test_a_registered_source_joins_the_timeline(coordinator, person, history, monkeypatch):
    monkeypatch.setattr(timeline_module, "TIMELINE_SOURCES", list(timeline_module.TIMELINE_SOURCES))

    def referrals(*, grant, before, limit):
        return [TimelineEvent(kind="referral", date=ago(minutes=1), title="Orientation vers le SSIAD", key="r-1")]

    register_source("referral", "Orientations", referrals)
    events = _timeline(coordinator, person)
    assert events[0].title == "Orientation vers le SSIAD"
    assert events[0].kind_label == "Orientations"
    assert ("referral", "Orientations") in timeline_kinds()
    assert [e.kind for e in _timeline(coordinator, person, kinds=["referral"])] == ["referral"]


def test_timeline_refused_to_another_organisation(person, history):
    stranger = MembershipFactory(role=Role.COORDINATOR)
    with pytest.raises(Http404):
        _timeline(stranger, person)


# --- The page and its fragments -------------------------------------------------------------------


def test_timeline_page_is_logged_in_the_audit_trail(member_client, history):
    person = history["request"].person
    client, membership = member_client(role=Role.RECEPTION_AGENT, organisation=person.organisation)
    response = client.get(reverse("casework:timeline", args=[person.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert f"Chronologie {grammar.de(person.full_name)}" in html.unescape(text) and "Appel à la fille" in text
    entry = AuditLogEntry.objects.filter(action=AuditLogEntry.Action.ACCESS, object_pk=str(person.pk)).get()
    assert entry.changes_text == "Chronologie"
    assert entry.actor == membership.user


def test_another_organisations_member_gets_404(member_client, history):
    person = history["request"].person
    client, _ = member_client(role=Role.COORDINATOR)
    assert client.get(reverse("casework:timeline", args=[person.pk])).status_code == 404
    assert not AuditLogEntry.objects.filter(action=AuditLogEntry.Action.ACCESS, changes_text="Chronologie").exists()


def test_care_team_member_of_another_organisation_sees_the_timeline(member_client, history):
    person = history["request"].person
    client, membership = member_client(role=Role.COORDINATOR)
    care_team_place(person, membership)
    response = client.get(reverse("casework:timeline", args=[person.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Appel à la fille" in text
    # The request is the other organisation's own activity: neither shown nor linked (its page
    # refuses this reader too).
    assert reverse("casework:request_detail", args=[history["request"].pk]) not in text
    assert "Demande d'APA" not in text


def test_filter_chip_swaps_the_whole_block_and_see_more_only_older_events(member_client, coordinator, person):
    client, _ = member_client(role=Role.COORDINATOR, organisation=coordinator.organisation)
    for hours in range(60):
        ContactFactory(person=person, occurred_at=ago(hours=hours), summary=f"Contact {hours}")
    url = reverse("casework:timeline", args=[person.pk])
    page = client.get(url)
    more_url = page.context["more_url"]
    assert more_url.startswith(url + "?avant=")
    assert len(page.context["events"]) == 50

    chip = client.get(url, {"type": "contact"}, headers={"HX-Request": "true"})
    assert chip.content.decode().lstrip().startswith('<link rel="stylesheet"')
    assert 'id="chronologie"' in chip.content.decode()
    assert "Contact 0" in chip.content.decode()

    more = client.get(more_url, headers={"HX-Request": "true"})
    html = more.content.decode()
    assert 'id="chronologie"' not in html
    assert "Contact 50" in html and "Contact 49<" not in html
    assert "data-focus-after-swap" in html
    assert len(more.context["events"]) == 10
    assert more.context["more_url"] == ""


def test_timeline_fragment_equals_the_page_block(member_client, coordinator, person, history):
    client, _ = member_client(role=Role.COORDINATOR, organisation=coordinator.organisation)
    url = reverse("casework:timeline", args=[person.pk])
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode().strip()
    page = client.get(url).content.decode()
    assert fragment in page


def test_timeline_ignores_a_malformed_cursor(member_client, coordinator, person, history):
    client, _ = member_client(role=Role.COORDINATOR, organisation=coordinator.organisation)
    response = client.get(reverse("casework:timeline", args=[person.pk]), {"avant": "2025-13-45T99:00"})
    assert response.status_code == 200
    assert len(response.context["events"]) == 5


# --- Registration of the sources ----------------------------------------------------------------

EVERY_KIND = {"request", "contact", "care_team", "consent", "assessment", "plan", "note", "document"}


def test_every_source_is_registered_at_start_up_before_any_url_is_imported():
    """A process that never imports the URLs or the views (a task worker, a management command)
    still has every source: they are registered by CaseworkConfig.ready(), not by an import."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys, django; django.setup()\n"
        "from maillage.casework.selectors.timeline import timeline_kinds\n"
        "loaded = [m for m in sys.modules if m.startswith(('maillage.casework.urls', 'maillage.casework.views'))]\n"
        "print(','.join(sorted(k for k, _ in timeline_kinds())), ','.join(loaded) or '-')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "maillage.settings.test"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    kinds, loaded = result.stdout.split()
    assert loaded == "-"  # neither URLs nor views were imported…
    assert set(kinds.split(",")) == EVERY_KIND | {"referral"}  # …and every source (referrals adds its own)


def test_app_ready_registers_the_sources_once(monkeypatch):
    from django.apps import apps

    monkeypatch.setattr(timeline_module, "TIMELINE_SOURCES", [])
    config = apps.get_app_config("casework")
    config.ready()
    config.ready()  # idempotent: ready() may run twice (tests, autoreload)
    assert {kind for kind, _ in timeline_kinds()} == EVERY_KIND
    assert len(timeline_module.TIMELINE_SOURCES) == 10
