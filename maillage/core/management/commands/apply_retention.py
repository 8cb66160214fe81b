from django.core.management.base import BaseCommand

from maillage.core.retention import RULES, apply_retention


class Command(BaseCommand):
    help = "Applique les durées de conservation (suppression ou anonymisation). À lancer chaque jour."

    def add_arguments(self, parser):
        parser.add_argument("--simulation", action="store_true", help="Compter sans rien supprimer.")
        parser.add_argument("--enqueue", action="store_true", help="Confier le travail à l'exécuteur de tâches.")

    def handle(self, *args, **options):
        if options["enqueue"]:
            from maillage.core.tasks import apply_retention_rules

            result = apply_retention_rules.enqueue()
            self.stdout.write(f"Tâche de conservation mise en file ({result.id}).")
            return
        for run in apply_retention(dry_run=options["simulation"]):
            verb = "à traiter" if run.dry_run else {"delete": "supprimée(s)", "anonymise": "anonymisée(s)"}[run.action]
            self.stdout.write(f"{RULES[run.rule].model} : {run.count} ligne(s) {verb} — {run.description}")
