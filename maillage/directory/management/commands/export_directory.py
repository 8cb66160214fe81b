"""`manage.py export_directory --format {hsds,datainclusion} PATH`.

HSDS: PATH ending in .json gets the nested services; a .zip, the CSV package zipped; otherwise PATH
is a folder that receives the CSV package. data·inclusion: PATH is a folder that receives
structures.json and services.json (or a .zip holding both).
"""

from pathlib import Path

from django.core.management.base import BaseCommand

from maillage.directory.interop.files import zip_bytes
from maillage.directory.interop.services import FORMATS, directory_export


class Command(BaseCommand):
    help = "Exporte tout l'annuaire au format HSDS 3 (JSON ou paquet CSV) ou data·inclusion."

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument("path", help="Fichier .json ou .zip, ou dossier.")

    def handle(self, *args, format, path, **options):  # noqa: A002
        target = Path(path)
        if format == "hsds":
            files = directory_export(format="hsds-json" if target.suffix == ".json" else "hsds-csv")
        else:
            files = directory_export(format="datainclusion")
        if target.suffix == ".json":
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(next(iter(files.values())))
        elif target.suffix == ".zip":
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(zip_bytes(files))
        else:
            target.mkdir(parents=True, exist_ok=True)
            for name, content in files.items():
                (target / name).write_bytes(content)
        self.stdout.write(self.style.SUCCESS(f"Export écrit dans {target} ({len(files)} fichier(s))."))
