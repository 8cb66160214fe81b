"""`manage.py import_directory --format {hsds,datainclusion} PATH`: import a file or a folder.

Exits with status 1 when anything is refused, after printing every error; nothing is then written.
"""

from django.core.management.base import BaseCommand, CommandError

from maillage.core.grammar import count
from maillage.directory.interop.services import FORMATS, directory_import


class Command(BaseCommand):
    help = "Importe l'annuaire depuis un fichier ou un dossier HSDS 3 ou data·inclusion (tout ou rien)."

    def add_arguments(self, parser):
        parser.add_argument("--format", required=True, choices=FORMATS)
        parser.add_argument("--source", default="", help="Nom de la source (HSDS ; « hsds » par défaut).")
        parser.add_argument(
            "--creer-doublons",
            action="store_true",
            help="Créer aussi les services qui ressemblent à des services déjà présents (autre source, saisie) ; "
            "par défaut ils ne sont pas importés et sont signalés.",
        )
        parser.add_argument("path", help="Fichier, dossier ou archive zip.")

    def handle(self, *args, format, source, path, creer_doublons, **options):  # noqa: A002
        duplicates = "create" if creer_doublons else "skip"
        report = directory_import(format=format, path_or_files=path, source=source, duplicates=duplicates)
        for error in report.errors:
            self.stderr.write(str(error))
        if report.warnings:
            self.stdout.write(
                f"{count(len(report.warnings), 'avertissement')} : ce qui a été laissé de côté ou déduit, à vérifier."
            )
        for warning in report.warnings:
            self.stdout.write(f"Avertissement : {warning}")
        if report.errors:
            raise CommandError(report.summary())
        self.stdout.write(self.style.SUCCESS(report.summary()))
