"""`export_directory` writes the published directory only, without named contacts unless asked, and
says so; every spreadsheet cell that a spreadsheet would run as a formula is neutralised."""

import csv
import io
import json
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse

from maillage.core.enums import Role
from maillage.directory.interop import files as interop_files
from tests.directory.factories import ContactFactory, PhoneFactory, ServiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory():
    published = ServiceFactory(name="Portage de repas")
    ContactFactory(service=published, name="Marie Dupont", email="marie.dupont@exemple.fr", phone="0612345678")
    draft = ServiceFactory(name="Projet confidentiel", draft=True)
    return published, draft


def _export(tmp_path, *args):
    out = io.StringIO()
    call_command("export_directory", "--format", "hsds", str(tmp_path / "export.json"), *args, stdout=out)
    return (tmp_path / "export.json").read_text(encoding="utf-8"), out.getvalue()


def test_export_command_writes_published_services_without_named_contacts(tmp_path, directory):
    text, output = _export(tmp_path)
    assert "Portage de repas" in text
    assert "Projet confidentiel" not in text
    assert "Marie Dupont" not in text and "marie.dupont" not in text and "0612345678" not in text
    assert json.loads(text)[0]["contacts"] == []
    assert "1 service(s) publié(s)" in output
    assert "sans les contacts nommés" in output and "--avec-contacts-nommes" in output


def test_export_command_adds_named_contacts_and_drafts_only_when_asked(tmp_path, directory):
    text, output = _export(tmp_path, "--avec-contacts-nommes")
    assert "Marie Dupont" in text and "Projet confidentiel" not in text
    assert "avec les contacts nommés" in output
    text, output = _export(tmp_path, "--avec-contacts-nommes", "--avec-brouillons")
    assert "Projet confidentiel" in text
    assert "brouillons compris" in output


def test_datainclusion_export_leaves_out_the_contact_name(tmp_path, directory):
    call_command("export_directory", "--format", "datainclusion", str(tmp_path / "di"), stdout=io.StringIO())
    services = json.loads((tmp_path / "di" / "services.json").read_text())
    assert [s["nom"] for s in services] == ["Portage de repas"]
    assert services[0]["contact_nom_prenom"] is None


FORMULAS = ['=HYPERLINK("http://x.example","clic")', "+33 3 80 11 22 33", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


@pytest.mark.parametrize("value", FORMULAS)
def test_csv_cells_that_would_run_as_formulas_are_neutralised(value):
    data = interop_files.csv_bytes(["name"], [{"name": value}]).decode()
    (row,) = list(csv.DictReader(io.StringIO(data, newline="")))
    assert row["name"] == "'" + value


def test_csv_export_neutralises_formulas_and_reimport_gives_the_value_back(tmp_path):
    service = ServiceFactory(name='=HYPERLINK("http://x.example")')
    PhoneFactory(service=service, number="+33380112233")
    call_command("export_directory", "--format", "hsds", str(tmp_path / "paquet.zip"), stdout=io.StringIO())
    with zipfile.ZipFile(tmp_path / "paquet.zip") as archive:
        services_csv = archive.read("services.csv").decode()
        phones_csv = archive.read("phones.csv").decode()
    assert "'=HYPERLINK" in services_csv and "\n=" not in services_csv and ",=" not in services_csv
    assert "'+33380112233" in phones_csv
    rows = interop_files.read_csv("services.csv", services_csv.encode())
    assert rows[0][1]["name"] == '=HYPERLINK("http://x.example")'


def test_staff_export_is_neutralised_too(member_client, directory):
    published, _ = directory
    published.name = "@SUM(1+1)"
    published.save()
    staff, _ = member_client(role=Role.ADMIN, organisation=published.organisation)
    response = staff.get(reverse("directory:export", args=["hsds-csv"]))
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert "'@SUM(1+1)" in archive.read("services.csv").decode()
