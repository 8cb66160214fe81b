"""`import_directory` and `export_directory`: exit codes and messages."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from maillage.directory.models import Service
from tests.directory.interop_helpers import DATA, canonical_dump, communes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _communes(db):
    communes()


def test_import_command_succeeds(capsys):
    call_command("import_directory", "--format", "hsds", str(DATA / "hsds_services.json"))

    assert "3 services créés" in capsys.readouterr().out
    assert Service.objects.count() == 3


def test_import_command_fails_and_prints_every_error(tmp_path, capsys):
    data = json.loads((DATA / "hsds_services.json").read_text())
    data[0]["status"] = "ouvert"
    data[2]["name"] = ""
    path = tmp_path / "services.json"
    path.write_text(json.dumps(data), encoding="utf-8")

    with pytest.raises(CommandError, match="2 erreur"):
        call_command("import_directory", "--format", "hsds", str(path))

    err = capsys.readouterr().err
    assert "services.json, élément 0 — champ « status »" in err
    assert "services.json, élément 2 — champ « name »" in err
    assert not Service.objects.exists()


def test_import_command_exit_status_is_non_zero(tmp_path):
    path = tmp_path / "services.json"
    path.write_text("pas du JSON", encoding="utf-8")

    with pytest.raises(SystemExit) as exc:
        _run_as_command_line(["import_directory", "--format", "hsds", str(path)])

    assert exc.value.code == 1


def _run_as_command_line(argv):
    from django.core.management import ManagementUtility

    ManagementUtility(["manage.py", *argv]).execute()


@pytest.mark.parametrize(("fmt", "target"), [("hsds", "export.json"), ("hsds", "paquet"), ("hsds", "paquet.zip")])
def test_export_then_import_by_command_round_trips(tmp_path, fmt, target):
    call_command("import_directory", "--format", "hsds", str(DATA / "hsds_services.json"))
    before = canonical_dump("hsds")

    # A full copy: drafts and named contacts asked for.
    call_command(
        "export_directory", "--format", fmt, str(tmp_path / target), "--avec-brouillons", "--avec-contacts-nommes"
    )
    # The same services under another source name: created only when asked (they are duplicates).
    call_command("import_directory", "--format", fmt, "--source", "copie", "--creer-doublons", str(tmp_path / target))

    assert canonical_dump("copie") == before


def test_reimport_under_another_source_name_skips_the_duplicates_and_says_so(tmp_path, capsys):
    call_command("import_directory", "--format", "hsds", str(DATA / "hsds_services.json"))
    count = Service.objects.count()
    capsys.readouterr()

    call_command("import_directory", "--format", "hsds", "--source", "copie", str(DATA / "hsds_services.json"))

    assert Service.objects.count() == count
    out = capsys.readouterr().out
    assert f"Import terminé : 0 service créé, 0 mis à jour ; {count} avertissement{'s' if count > 1 else ''}." in out
    assert "déjà présent dans l'annuaire : pas importé." in out


def test_datainclusion_export_command_writes_both_files(tmp_path):
    call_command("import_directory", "--format", "datainclusion", str(DATA / "datainclusion"))

    call_command("export_directory", "--format", "datainclusion", str(tmp_path / "di"))

    assert sorted(p.name for p in (tmp_path / "di").iterdir()) == ["services.json", "structures.json"]
    assert len(json.loads((tmp_path / "di" / "services.json").read_text())) == 2
