"""`manage.py import_register_list --organisation SIRET --gestionnaire EMAIL --source caf FILE`: import a
transmitted list into an organisation's register, as its register manager (all or nothing).

The command creates no file for an uncertain match: those rows are listed, and the import is refused
until the list is settled on the web page (where the manager chooses) or corrected. Exits with status
1 after printing every rejected row; nothing is then written.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from maillage.core.exceptions import ApplicationError
from maillage.core.grammar import count
from maillage.core.models import Organisation, User
from maillage.register.enums import EntrySource
from maillage.register.importing import reading
from maillage.register.importing.services import ImportRefused, list_import

SOURCES = {
    "departement": EntrySource.DEPARTEMENT_LIST,
    "caf": EntrySource.CAF_LIST,
    "caisse": EntrySource.PENSION_FUND_LIST,
}


class Command(BaseCommand):
    help = "Importe une liste transmise (CSV ou XLSX) dans le registre d'une structure (tout ou rien)."

    def add_arguments(self, parser):
        parser.add_argument("--organisation", required=True, help="SIRET ou numéro de la structure.")
        parser.add_argument("--gestionnaire", required=True, help="Adresse du gestionnaire du registre.")
        parser.add_argument("--source", required=True, choices=sorted(SOURCES), help="Qui a transmis la liste.")
        parser.add_argument("path", help="Fichier CSV ou XLSX.")

    def handle(self, *args, organisation, gestionnaire, source, path, **options):
        found = Organisation.objects.filter(siret=organisation).first()
        if found is None and organisation.isdigit():
            found = Organisation.objects.filter(pk=organisation).first()
        if found is None:
            raise CommandError(f"Aucune structure n'a le SIRET ou le numéro « {organisation} ».")
        actor = User.objects.filter(email__iexact=gestionnaire).first()
        if actor is None:
            raise CommandError(f"Aucun compte n'a l'adresse « {gestionnaire} ».")
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"Le fichier « {path} » n'existe pas.")
        try:
            reading.check_size(file.name, file.stat().st_size)  # before reading it
        except reading.FileRefused as exc:
            raise CommandError(exc.message) from None
        try:
            result = list_import(
                actor=actor, organisation=found, source=SOURCES[source], name=file.name, content=file.read_bytes()
            )
        except ImportRefused as exc:
            for row in exc.plan.rejected:
                self.stderr.write(f"Ligne {row.line} : {' '.join(row.errors)}")
            for row in exc.plan.undecided:
                files = count(len(row.candidates), "fiche existante", "fiches existantes")
                self.stderr.write(
                    f"Ligne {row.line} : ressemble à {files} ; choisissez sur la page d'import du registre."
                )
            raise CommandError(exc.message) from None
        except (reading.FileRefused, ApplicationError) as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{count(result.entries, 'inscription', 'inscriptions')} en attente du consentement "
                f"({count(result.created, 'fiche créée', 'fiches créées')}, "
                f"{count(result.matched, 'fiche existante', 'fiches existantes')}, "
                f"{count(result.skipped, 'personne déjà inscrite', 'personnes déjà inscrites')})."
            )
        )
