"""The register's transmission to the prefect: only the columns CASF R121-4 allows, active entries
of the crisis's communes only, a CSV a French spreadsheet opens, a PDF, a record and a trail line."""

import csv
import io

import pytest
from django.urls import reverse

from maillage.core.models import AuditLogEntry
from maillage.people.enums import LegalProtection, RelationKind
from maillage.register.enums import EntryStatus
from maillage.register.models import PrefectTransmission
from maillage.register.services import crises as services
from maillage.register.sharing import PREFECT_HEADERS, prefect_rows
from tests.conftest import login_verified
from tests.people.factories import RelationFactory
from tests.register.crisis_factories import CrisisEntryFactory, CrisisFactory, rennes_and_cesson

EXPECTED_HEADERS = [
    "Nom",
    "Prénom(s)",
    "Date de naissance",
    "Âge",
    "Qualité au titre de laquelle la personne est inscrite",
    "Adresse",
    "Complément d'adresse",
    "Code postal",
    "Commune",
    "Téléphone",
    "Service intervenant à domicile",
    "Personne à prévenir en cas d'urgence",
]


@pytest.fixture
def world(db):
    organisation, manager, rennes, cesson = rennes_and_cesson()
    crisis = CrisisFactory(organisation=organisation, communes=[rennes])
    return organisation, manager, crisis, rennes, cesson


def _secretive_entry(organisation, commune):
    """An entry whose person's file holds what the prefect must never receive."""
    entry = CrisisEntryFactory(
        organisation=organisation,
        commune=commune,
        home_professionals="Aide à domicile ADMR, Mme Leroy",
        home_access="Digicode 4321B",
        isolation_factors=["lives_alone"],
        best_times="le matin",
    )
    person = entry.person
    person.gir = 2
    person.legal_protection = LegalProtection.CURATELLE
    person.pension_funds = "Carsat Bretagne, APA"
    person.save()
    person.emails.create(address="secret.courriel@exemple.fr")
    RelationFactory(
        person=person,
        kind=RelationKind.FAMILY,
        first_name="Paul",
        last_name="Urgent",
        phone="+33611223344",
        is_emergency_contact=True,
        relationship="fils",
    )
    RelationFactory(person=person, kind=RelationKind.NEIGHBOUR, first_name="Voisine", last_name="Discrete")
    return entry


def test_headers_are_exactly_the_allowed_columns():
    assert list(PREFECT_HEADERS) == EXPECTED_HEADERS


def test_rows_carry_nothing_but_the_allowed_fields(world):
    organisation, _, crisis, rennes, _ = world
    entry = _secretive_entry(organisation, rennes)
    rows = prefect_rows(crisis)
    assert len(rows) == 1
    row = rows[0]
    assert row["last_name"] == entry.person.last_name.upper()
    assert row["emergency_contact"] == "Paul Urgent (fils), 06 11 22 33 44"
    assert row["home_help"] == "Aide à domicile ADMR, Mme Leroy"
    assert row["commune"] == "Rennes"
    text = " ".join(row.values())
    for secret in (
        "Digicode",
        "4321B",
        "Carsat",
        "APA",
        "curatelle",
        "Curatelle",
        "secret.courriel",
        "Discrete",
        "le matin",
        "Vit seule",
    ):
        assert secret not in text


def test_only_active_entries_of_the_crisis_communes(world):
    organisation, _, crisis, rennes, cesson = world
    kept = CrisisEntryFactory(organisation=organisation, commune=rennes)
    CrisisEntryFactory(organisation=organisation, commune=cesson)  # another commune
    for status in (EntryStatus.PENDING_CONSENT, EntryStatus.SUSPENDED, EntryStatus.REMOVED):
        CrisisEntryFactory(organisation=organisation, commune=rennes, status=status, source="third_party")
    CrisisEntryFactory(commune=rennes)  # another organisation's register
    deceased = CrisisEntryFactory(organisation=organisation, commune=rennes)
    deceased.person.deceased_on = deceased.person.birth_date.replace(year=2020)
    deceased.person.save()
    assert [r["last_name"] for r in prefect_rows(crisis)] == [kept.person.last_name.upper()]


def test_manager_downloads_the_csv(world, client):
    organisation, manager, crisis, rennes, _ = world
    entry = _secretive_entry(organisation, rennes)
    login_verified(client, manager)
    response = client.post(reverse("crises:transmission", args=[crisis.pk]), {"file_format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert table[0] == EXPECTED_HEADERS
    assert len(table) == 2 and table[1][0] == entry.person.last_name.upper()
    for secret in ("Digicode", "Carsat", "GIR", "secret.courriel", "Discrete"):
        assert secret not in body.decode("utf-8-sig")

    transmission = PrefectTransmission.objects.get()
    assert transmission.produced_by == manager and transmission.entry_count == 1
    assert transmission.file_format == "csv" and "legal_category" in transmission.fields
    line = AuditLogEntry.objects.filter(changes_text__startswith="Transmission au préfet").get()
    assert "1 inscription" in line.changes_text
    assert entry.person.last_name not in line.changes_text and entry.person.last_name not in line.object_repr
    detail = client.get(reverse("crises:detail", args=[crisis.pk])).content.decode()
    assert "Transmissions faites" in detail and "CSV" in detail


def test_a_formula_in_a_cell_is_neutralised(world, client):
    organisation, manager, crisis, rennes, _ = world
    CrisisEntryFactory(organisation=organisation, commune=rennes, home_professionals='=HYPERLINK("x")')
    login_verified(client, manager)
    body = client.post(reverse("crises:transmission", args=[crisis.pk]), {"file_format": "csv"}).content
    assert "'=HYPERLINK" in body.decode("utf-8-sig")


def test_manager_downloads_the_pdf(world, client):
    organisation, manager, crisis, rennes, _ = world
    CrisisEntryFactory(organisation=organisation, commune=rennes)
    login_verified(client, manager)
    response = client.post(reverse("crises:transmission", args=[crisis.pk]), {"file_format": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert PrefectTransmission.objects.get().file_format == "pdf"


def test_no_transmission_after_the_end(world, client):
    organisation, manager, crisis, _, _ = world
    services.crisis_end(actor=manager, organisation=organisation, crisis=crisis)
    login_verified(client, manager)
    response = client.post(reverse("crises:transmission", args=[crisis.pk]), {"file_format": "csv"})
    assert response.status_code == 302
    assert not PrefectTransmission.objects.exists()


def test_bad_format_is_refused(world, client):
    login_verified(client, world[1])
    response = client.post(reverse("crises:transmission", args=[world[2].pk]), {"file_format": "xls"})
    assert response.status_code == 302
    assert not PrefectTransmission.objects.exists()


def test_entries_without_a_current_address_are_flagged_not_lost(world, client):
    """A person with no current address cannot be in the prefect's file (no commune): the crisis page
    says how many, and the register lists them with its « Sans adresse actuelle » filter."""
    organisation, manager, crisis, rennes, _cesson = world
    housed = CrisisEntryFactory(organisation=organisation, commune=rennes)
    homeless = CrisisEntryFactory(organisation=organisation, commune=rennes)
    homeless.person.addresses.update(is_current=False)
    gone = CrisisEntryFactory(organisation=organisation, commune=rennes, status=EntryStatus.REMOVED)
    gone.person.addresses.update(is_current=False)
    login_verified(client, manager)

    assert [row["last_name"].casefold() for row in prefect_rows(crisis)] == [housed.person.last_name.casefold()]
    detail = client.get(reverse("crises:detail", args=[crisis.pk])).content.decode()
    assert "Une inscription active n'a pas d'adresse actuelle : elle ne figure pas" in detail

    listed = client.get(reverse("register:list"), {"status": "active", "no_address": "on"}).content.decode()
    assert homeless.person.last_name.upper() in listed.upper() and "Sans adresse actuelle" in listed
    assert housed.person.last_name.upper() not in listed.upper()

    CrisisEntryFactory(organisation=organisation, commune=rennes).person.addresses.update(is_current=False)
    detail = client.get(reverse("crises:detail", args=[crisis.pk])).content.decode()
    assert "2 inscriptions actives n'ont pas d'adresse actuelle : elles ne figurent pas" in detail
