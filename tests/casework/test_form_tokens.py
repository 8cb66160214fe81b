"""Idempotent form submissions (core.idempotency): a note or a request sent twice is written once;
on PostgreSQL, two submissions arriving at the same time too."""

import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from maillage.casework.models import Note, Request
from maillage.casework.models.requests import RequestChannel, RequesterKind
from maillage.core.enums import Role
from maillage.core.idempotency import FIELD
from tests.conftest import login_verified
from tests.core.factories import MembershipFactory
from tests.people.factories import PersonFactory


def _token(page: str) -> str:
    return re.search(rf'name="{FIELD}" value="([^"]+)"', page).group(1)


@pytest.mark.django_db
def test_double_submitted_note_is_written_once(member_client):
    client, membership = member_client(role=Role.COORDINATOR)
    person = PersonFactory(organisation=membership.organisation)
    url = reverse("casework:note_list", args=[person.pk])
    token = _token(client.get(url).content.decode())
    data = {FIELD: token, "body": "Visite à domicile faite", "visibility": "organisation"}
    first, second = client.post(url, data), client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert Note.objects.filter(body="Visite à domicile faite").count() == 1


@pytest.mark.django_db
def test_double_submitted_request_is_logged_once(member_client):
    client, membership = member_client(role=Role.RECEPTION_AGENT)
    url = reverse("casework:reception")
    token = _token(client.get(url).content.decode())
    data = {
        FIELD: token,
        "requester_kind": RequesterKind.PERSON,
        "channel": RequestChannel.PHONE,
        "level": "1",
        "outcome": "answered",
        "time_spent_minutes": "5",
        "person": "anonymous",
    }
    first, second = client.post(url, data), client.post(url, data)
    assert first.status_code == 302, first.content.decode()[:2000]
    assert second["Location"] == first["Location"]
    assert Request.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two real connections at once (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submissions_of_one_note_write_it_once(monkeypatch):
    from maillage.casework.services import followup

    membership = MembershipFactory(role=Role.COORDINATOR)
    person = PersonFactory(organisation=membership.organisation)
    url = reverse("casework:note_list", args=[person.pk])
    clients = [login_verified(Client(), membership.user) for _ in range(2)]
    token = _token(clients[0].get(url).content.decode())
    original = followup.note_create
    barrier = threading.Barrier(2, timeout=10)

    def slow_note_create(**kwargs):
        import time

        time.sleep(0.5)  # the second submission arrives while the first one is being written
        return original(**kwargs)

    monkeypatch.setattr(followup, "note_create", slow_note_create)
    statuses = []

    def submit(client):
        try:
            barrier.wait()
            response = client.post(url, {FIELD: token, "body": "Une seule fois", "visibility": "organisation"})
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [302, 302]
    assert Note.objects.filter(body="Une seule fois").count() == 1
