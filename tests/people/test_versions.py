"""Optimistic locking of a person's identity (core.versioning): two colleagues edit the same file;
the second save is refused, shows both versions, and nothing typed is lost."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from maillage.core.enums import Role
from maillage.core.exceptions import ApplicationError
from maillage.core.versioning import StaleVersionError
from maillage.people import services
from maillage.people.models import Person
from tests.conftest import login_verified
from tests.core.factories import MembershipFactory
from tests.people.factories import PersonFactory
from tests.people.form_data import form_data


@pytest.fixture
def two_editors(client, django_user_model):
    from django.test import Client

    first = MembershipFactory(role=Role.COORDINATOR, user__first_name="Alice", user__last_name="Martin")
    second = MembershipFactory(role=Role.RECEPTION_AGENT, organisation=first.organisation)
    return first, login_verified(client, first.user), second, login_verified(Client(), second.user)


@pytest.mark.django_db
def test_second_save_of_a_person_read_before_the_first_is_refused_with_both_versions(two_editors):
    first, alice, second, bob = two_editors
    person = PersonFactory(organisation=first.organisation, birth_place="Dijon", languages="français")
    url = reverse("people:edit", args=[person.pk])
    alice_data = form_data(alice.get(url).context["form"])
    bob_data = form_data(bob.get(url).context["form"])
    assert alice.post(url, {**alice_data, "birth_place": "Beaune"}).status_code == 302

    response = bob.post(url, {**bob_data, "birth_place": "Autun"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Cette fiche a été modifiée entre-temps par Alice Martin le" in page
    assert "Ce qui est enregistré maintenant" in page
    assert "Autun" in page and "Beaune" in page  # what Bob typed, what is saved now
    person.refresh_from_db()
    assert person.birth_place == "Beaune"

    # Sending the form again, as shown (the version moved on), saves Bob's values knowingly.
    again = form_data(response.context["form"])
    assert bob.post(url, again).status_code == 302
    person.refresh_from_db()
    assert person.birth_place == "Autun" and person.version == 3


@pytest.mark.django_db
def test_person_update_refuses_a_stale_version_and_a_merged_file():
    membership = MembershipFactory(role=Role.COORDINATOR)
    person = PersonFactory(organisation=membership.organisation)
    kwargs = {"actor": membership.user, "organisation": membership.organisation}
    services.person_update(**kwargs, person=person, data={"languages": "breton"}, version=1)
    with pytest.raises(StaleVersionError):
        services.person_update(**kwargs, person=Person.objects.get(pk=person.pk), data={"languages": "x"}, version=1)
    other = PersonFactory(organisation=membership.organisation)
    services.person_merge(**kwargs, kept=other, duplicate=person)
    with pytest.raises(ApplicationError, match="déjà été fusionnée"):
        services.person_update(**kwargs, person=person, data={"languages": "y"}, version=None)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two real connections at once (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_of_the_same_version_one_wins(monkeypatch):
    membership = MembershipFactory(role=Role.COORDINATOR)
    person = PersonFactory(organisation=membership.organisation)
    barrier = threading.Barrier(2, timeout=10)
    outcomes = []

    def save(value):
        try:
            barrier.wait()
            services.person_update(
                actor=membership.user,
                organisation=membership.organisation,
                person=Person.objects.get(pk=person.pk),
                data={"birth_place": value},
                version=1,
            )
            outcomes.append("saved")
        except StaleVersionError:
            outcomes.append("stale")
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(v,)) for v in ("Dijon", "Beaune")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["saved", "stale"]
    assert Person.objects.get(pk=person.pk).version == 2
