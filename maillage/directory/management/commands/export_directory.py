"""`manage.py export_directory --format {hsds,datainclusion} PATH [--avec-contacts-nommes] [--avec-brouillons]`.

The published directory (what the public pages show): published services of active organisations,
without the named contacts (a person's name, phone and e-mail) unless `--avec-contacts-nommes`,
without drafts unless `--avec-brouillons` (data·inclusion, a public format, never has drafts).

HSDS: PATH ending in .json gets the nested services; a .zip, the CSV package zipped; otherwise PATH
is a folder that receives the CSV package. data·inclusion: PATH is a folder that receives
structures.json and services.json (or a .zip holding both).
"""

from pathlib import Path

from django.core.management.base import BaseCommand

from maillage.directory.interop.files import zip_bytes
from maillage.directory.interop.services import FORMATS, directory_export, directory_export_count


class Command(BaseCommand):
    help = (
        "Exporte l'annuaire publié au format HSDS 3 (JSON ou paquet CSV) ou data·inclusion, sans les contacts "
        "nommés ni les brouillons sauf demande."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument("path", help="Fichier .json ou .zip, ou dossier.")
        parser.add_argument(
            "--avec-contacts-nommes",
            "--include-named-contacts",
            action="store_true",
            dest="include_named_contacts",
            help="Inclure les contacts nommés des services (nom, téléphone et courriel d'une personne).",
        )
        parser.add_argument(
            "--avec-brouillons",
            "--include-drafts",
            action="store_true",
            dest="include_drafts",
            help="Inclure les services en brouillon (HSDS seulement).",
        )

    def handle(self, *args, format, path, include_named_contacts, include_drafts, **options):  # noqa: A002
        target = Path(path)
        include_drafts = include_drafts and format == "hsds"
        options = {"include_drafts": include_drafts, "include_named_contacts": include_named_contacts}
        if format == "hsds":
            files = directory_export(format="hsds-json" if target.suffix == ".json" else "hsds-csv", **options)
        else:
            files = directory_export(format="datainclusion", **options)
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
        count = directory_export_count(include_drafts=include_drafts)
        what = f"{count} service(s) publié(s)" + (", brouillons compris" if include_drafts else "")
        contacts = (
            "avec les contacts nommés"
            if include_named_contacts
            else "sans les contacts nommés (--avec-contacts-nommes pour les inclure)"
        )
        self.stdout.write(
            self.style.SUCCESS(f"Export écrit dans {target} ({len(files)} fichier(s)) : {what}, {contacts}.")
        )
