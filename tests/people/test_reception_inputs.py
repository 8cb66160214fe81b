"""Issue 11, point 4: what a reception agent types is kept as meant — a commune without a street,
a landline as a landline, a birth date written short."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from maillage.core.enums import Role
from maillage.people import search as people_search
from maillage.people.dates import parse_date
from maillage.people.models import Person, PersonAddress, PersonPhone
from maillage.people.services import person_phone_add
from tests.conftest import login_verified
from tests.core.factories import CommuneFactory, MembershipFactory
from tests.people.factories import PersonFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 5)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("9/10/41", datetime.date(1941, 10, 9)),
        ("09/10/1941", datetime.date(1941, 10, 9)),
        ("9.10.41", datetime.date(1941, 10, 9)),
        ("9-10-41", datetime.date(1941, 10, 9)),
        (" 9 / 10 / 1941 ", datetime.date(1941, 10, 9)),
        ("1941-10-09", datetime.date(1941, 10, 9)),  # what a date picker sends
        ("3/2/20", datetime.date(2020, 2, 3)),  # a child born in 2020, not 1920
        ("5/12/26", datetime.date(2026, 12, 5)),  # today
        ("6/12/26", datetime.date(1926, 12, 6)),  # tomorrow in 2026: a person born in 1926
        ("1/1/27", datetime.date(1927, 1, 1)),  # a year still to come
        ("31/02/41", None),
        ("9/13/41", None),
        ("9/10", None),
        ("le neuf octobre", None),
        ("", None),
    ],
)
def test_parse_date_reads_short_birth_dates(typed, expected):
    assert parse_date(typed, today=TODAY) == expected


@pytest.fixture
def agent(client):
    membership = MembershipFactory(role=Role.RECEPTION_AGENT)
    login_verified(client, membership.user)
    return client, membership


@pytest.fixture
def fontaine():
    return CommuneFactory(code="21278", name="Fontaine-lès-Dijon", postal_codes=["21121"])


def _create(client, **fields):
    data = {
        "last_name": "Lefèvre",
        "birth_name": "",
        "first_names": "Éloïse",
        "sex": "F",
        "birth_date": "",
        "lives_alone": "unknown",
        "languages": "",
        "address_line": "",
        "postal_code": "",
        "commune": "",
        "housing": "unknown",
        "phone": "",
        "email": "",
    }
    data.update(fields)
    return client.post(reverse("people:create"), data)


@pytest.mark.parametrize("typed", ["9/10/41", "09/10/1941", "9.10.41"])
def test_person_create_understands_a_short_birth_date(agent, typed):
    client, _ = agent
    response = _create(client, birth_date=typed)
    assert response.status_code == 302
    assert Person.objects.get().birth_date == datetime.date(1941, 10, 9)


def test_person_create_refuses_a_date_that_is_not_one_in_french(agent):
    client, _ = agent
    response = _create(client, birth_date="31/02/41")
    body = response.content.decode()
    assert response.status_code == 200
    assert "« 31/02/41 » n&#x27;est pas une date" in body
    assert 'value="31/02/41"' in body  # what was typed is kept
    assert not Person.objects.exists()


def test_birth_date_field_is_a_text_field_shown_the_french_way(agent):
    client, membership = agent
    person = PersonFactory(organisation=membership.organisation, birth_date=datetime.date(1941, 10, 9))
    body = client.get(reverse("people:edit", args=[person.pk])).content.decode()
    assert 'value="09/10/1941"' in body
    assert 'type="date"' not in body.split('id="id_birth_date"')[0].rsplit("<input", 1)[-1]


def test_person_create_keeps_a_commune_without_a_street_and_finds_it_by_commune(agent, fontaine):
    client, membership = agent
    response = _create(client, commune="Fontaine-lès-Dijon")
    assert response.status_code == 302
    person = Person.objects.get()
    address = PersonAddress.objects.get(person=person)
    assert (address.line, address.commune, address.postal_code, address.is_current) == ("", fontaine, "21121", True)
    assert str(address) == "21121 Fontaine-lès-Dijon"
    found, _ = people_search.search(Person.objects.filter(organisation=membership.organisation), "fontaine-les-dijon")
    assert found == [person]
    detail = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "21121 Fontaine-lès-Dijon" in detail


def test_address_form_takes_a_commune_alone(agent, fontaine):
    client, membership = agent
    person = PersonFactory(organisation=membership.organisation)
    response = client.post(
        reverse("people:address_set", args=[person.pk]),
        {"line": "", "complement": "", "postal_code": "", "commune": "21278", "housing": "unknown", "since": ""},
    )
    assert response.status_code == 302
    assert person.addresses.get(is_current=True).commune == fontaine


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("03 80 12 34 56", "landline"),
        ("09 72 12 34 56", "landline"),
        ("06 12 34 56 78", "mobile"),
        ("07 81 23 45 67", "mobile"),
    ],
)
def test_person_create_records_the_phone_type_of_the_number(agent, typed, kind):
    client, _ = agent
    assert _create(client, phone=typed).status_code == 302
    assert PersonPhone.objects.get().kind == kind


def test_phone_form_refuses_a_landline_as_mobile_and_detects_by_default(agent):
    client, membership = agent
    person = PersonFactory(organisation=membership.organisation)
    url = reverse("people:phone_add", args=[person.pk])
    refused = client.post(url, {"number": "03 80 12 34 56", "kind": "mobile", "note": ""})
    assert refused.status_code == 200
    assert "est un numéro de fixe, pas un mobile" in refused.content.decode()
    assert not PersonPhone.objects.exists()
    detected = client.post(url, {"number": "03 80 12 34 56", "kind": "", "note": ""})
    assert detected.status_code == 302
    assert PersonPhone.objects.get().kind == "landline"


def test_phone_service_refuses_sms_on_a_landline(agent):
    _, membership = agent
    person = PersonFactory(organisation=membership.organisation)
    with pytest.raises(ValidationError) as exc_info:
        person_phone_add(
            actor=membership.user,
            organisation=membership.organisation,
            person=person,
            number="0380123456",
            accepts_sms=True,
        )
    assert "ne reçoit pas de SMS" in exc_info.value.message_dict["accepts_sms"][0]


def test_person_search_understands_a_short_date(agent):
    _, membership = agent
    person = PersonFactory(
        organisation=membership.organisation, last_name="Martin", birth_date=datetime.date(1941, 10, 9)
    )
    PersonFactory(organisation=membership.organisation, last_name="Martin", birth_date=datetime.date(1950, 1, 1))
    found, _ = people_search.search(Person.objects.filter(organisation=membership.organisation), "martin 9/10/41")
    assert found == [person]
