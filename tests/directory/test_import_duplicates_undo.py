"""Importing again under another source name, undoing an import, and where the import page is
(issue 11, point 16)."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from maillage.core.enums import Role
from maillage.core.models import AuditLogEntry, Commune
from maillage.directory import services
from maillage.directory.models import ImportJob, Location, Service
from tests.conftest import run_task_worker
from tests.directory.factories import ServiceFactory
from tests.directory.interop_helpers import DATA, communes

pytestmark = pytest.mark.django_db
FILE = DATA / "hsds_services.json"


@pytest.fixture(autouse=True)
def _communes(db):
    communes()


def _import(client, content: bytes, source: str) -> ImportJob:
    client.post(
        reverse("directory:interop"),
        {"format": "hsds", "source": source, "file": SimpleUploadedFile("services.json", content)},
    )
    run_task_worker()
    return ImportJob.objects.order_by("-pk").first()


def _names():
    return sorted(Service.objects.values_list("name", flat=True))


def test_reimport_under_another_source_waits_for_a_decision_on_each_duplicate(member_client):
    client, membership = member_client(role=Role.COORDINATOR)
    first = _import(client, FILE.read_bytes(), "reseau-clic")
    assert first.status == ImportJob.Status.SUCCEEDED and first.created == 3

    second = _import(client, FILE.read_bytes(), "autre-nom")

    assert second.status == ImportJob.Status.REVIEW
    assert len(_names()) == 3  # nothing created
    assert [d["name"] for d in second.duplicates] == [
        "Portage de repas à domicile",
        "Point d'information seniors",
        "Visites de convivialité",
    ]
    assert second.duplicates[0]["candidates"][0]["reason"] == (
        "même identifiant dans le fichier que le service importé de la source « reseau-clic »"
    )
    page = client.get(reverse("directory:import_job", args=[second.pk])).content.decode()
    assert "Doublons probables : rien n'a encore été enregistré" in page
    assert "Ne pas l&#x27;importer" in page and "L&#x27;importer quand même comme un nouveau service" in page
    # Nothing is lost by default: « skip » is ticked for each, its label right after it (GOV.UK draws the dot).
    assert re.search(
        r'<input type="radio" name="doublon_0" value="skip"[^>]*checked[^>]*>\s*'
        r'<label class="govuk-label govuk-radios__label"',
        page,
    )
    assert len(re.findall(r'<input type="radio" name="doublon_\d" value="skip"[^>]*checked', page)) == 3, page

    portage = Service.objects.get(name="Portage de repas à domicile")
    response = client.post(
        reverse("directory:import_decide", args=[second.pk]),
        {"doublon_0": f"link:{portage.pk}", "doublon_1": "skip", "doublon_2": "new"},
    )
    assert response.status_code == 302
    run_task_worker()

    second.refresh_from_db()
    assert second.status == ImportJob.Status.SUCCEEDED, second.stage
    assert second.created == 1  # « Visites de convivialité », asked for as a new service
    assert _names().count("Visites de convivialité") == 2
    assert _names().count("Point d'information seniors") == 1  # skipped
    assert _names().count("Portage de repas à domicile") == 1  # linked: the file updates the one held
    assert any("« Point d'information seniors » déjà présent" in w["message"] for w in second.warnings)


def test_a_service_typed_by_hand_with_the_same_name_and_address_is_a_duplicate(member_client):
    client, membership = member_client(role=Role.COORDINATOR)
    data = json.loads(FILE.read_text(encoding="utf-8"))
    address = data[0]["service_at_locations"][0]["location"]["addresses"][0]
    typed = ServiceFactory(
        organisation=membership.organisation,
        name="PORTAGE de repas a domicile",
        commune=Commune.objects.get(code=address["code_insee"]),
    )
    Location.objects.filter(pk=typed.locations.get().pk).update(address=address["address_1"].upper())

    job = _import(client, json.dumps(data).encode(), "reseau-clic")

    assert job.status == ImportJob.Status.REVIEW
    ((duplicate),) = job.duplicates
    assert duplicate["candidates"] == [
        {
            "pk": typed.pk,
            "name": "PORTAGE de repas a domicile",
            "organisation": membership.organisation.name,
            "reason": "même nom, même adresse dans la même commune",
        }
    ]


def test_an_import_is_undone_and_the_trail_says_so(member_client):
    client, membership = member_client(role=Role.COORDINATOR)
    kept = ServiceFactory(organisation=membership.organisation, name="Service saisi à la main")
    job = _import(client, FILE.read_bytes(), "reseau-clic")
    assert job.status == ImportJob.Status.SUCCEEDED
    page = client.get(reverse("directory:import_job", args=[job.pk])).content.decode()
    assert "Annuler cet import" in page

    response = client.post(reverse("directory:import_cancel", args=[job.pk]), follow=True)

    assert "L&#x27;import est annulé : 3 services supprimés, 0 remis dans leur état d&#x27;avant l&#x27;import." in (
        response.content.decode()
    )
    assert _names() == [kept.name]
    assert not Location.objects.exclude(service_at_locations__service=kept).exists()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.UNDONE and job.undone_by == membership.user
    lines = AuditLogEntry.objects.filter(action=AuditLogEntry.Action.DELETE, actor=membership.user)
    assert lines.filter(object_repr="Portage de repas à domicile").exists()
    assert all(line.changes_text.startswith("Annulation de l'import « services.json »") for line in lines)
    # Undone once: the button is gone and a second try is refused.
    assert (
        "Annuler cet import</button>"
        not in client.get(reverse("directory:import_job", args=[job.pk])).content.decode()
    )
    response = client.post(reverse("directory:import_cancel", args=[job.pk]), follow=True)
    assert "Seul un import terminé, et pas encore annulé, peut être annulé." in response.content.decode()


def test_undoing_a_reimport_restores_what_it_changed(member_client):
    client, membership = member_client(role=Role.COORDINATOR)
    _import(client, FILE.read_bytes(), "reseau-clic")
    data = json.loads(FILE.read_text(encoding="utf-8"))
    data[0]["name"] = "Portage de repas (nouveau nom)"
    data[0]["phones"][0]["number"] = "03 80 99 99 99"
    second = _import(client, json.dumps(data).encode(), "reseau-clic")
    assert (second.status, second.updated) == (ImportJob.Status.SUCCEEDED, 1)

    client.post(reverse("directory:import_cancel", args=[second.pk]))

    service = Service.objects.get(source_id="svc-portage")
    assert service.name == "Portage de repas à domicile"
    assert list(service.phones.values_list("number", flat=True)) == ["03 80 44 81 00"]
    assert len(_names()) == 3


def test_an_import_changed_since_is_not_undone(member_client):
    client, membership = member_client(role=Role.COORDINATOR)
    job = _import(client, FILE.read_bytes(), "reseau-clic")
    service = Service.objects.get(source_id="svc-visites")
    services.service_update(actor=membership.user, service=service, data={"description": "Changé à la main"})

    response = client.post(reverse("directory:import_cancel", args=[job.pk]), follow=True)

    content = response.content.decode()
    assert re.search(
        r"Cet import ne peut plus être annulé : 1 des services .* \(« Visites de convivialité »\)", content
    )
    assert len(_names()) == 3
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED


def test_the_import_page_is_in_the_menu_of_those_who_keep_the_directory_only(member_client, client):
    editor, _ = member_client(role=Role.RECEPTION_AGENT)
    nav = editor.get(reverse("core:dashboard")).content.decode()
    assert re.search(r'href="/annuaire/import-export/"[^>]*>\s*Import de l&#x27;annuaire', nav)
    client.logout()
    volunteer, _ = member_client(role=Role.VOLUNTEER)
    assert "Import de l&#x27;annuaire" not in volunteer.get(reverse("core:dashboard")).content.decode()
    assert volunteer.get(reverse("directory:interop")).status_code == 404
