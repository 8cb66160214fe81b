from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from maillage.core import territories


class Command(BaseCommand):
    help = "Charge les départements, EPCI et communes (codes INSEE, population) depuis les données publiques."

    def add_arguments(self, parser):
        parser.add_argument("--source", help="Dossier data/ du paquet npm @etalab/decoupage-administratif.")
        parser.add_argument("--departements", help="Ne charger que ces départements (codes séparés par des virgules).")

    def handle(self, *args, **options):
        if options["source"]:
            folder = Path(options["source"])
            if not (folder / "communes.json").is_file():
                raise CommandError(f"Le dossier {folder} ne contient pas communes.json.")
            data = territories.read_package_folder(folder)
        else:
            data = territories.read_extract()
        codes = {c.strip() for c in options["departements"].split(",")} if options["departements"] else None
        known = {d["code"] for d in data["departements"]}
        if codes and codes - known:
            raise CommandError(f"Départements inconnus : {', '.join(sorted(codes - known))}.")
        report = territories.load_territories(data, departement_codes=codes)
        self.stdout.write(
            f"{report.departements} départements, {report.epci} EPCI et {report.communes} communes chargés."
        )
