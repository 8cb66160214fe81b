from django.core.management.base import BaseCommand

from maillage.register.tasks import schedule_sponsored_calls


class Command(BaseCommand):
    help = "Prépare les appels des parrainages : le prochain appel de chaque parrainage en cours (chaque jour)."

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="Exécuter tout de suite au lieu de mettre en file.")

    def handle(self, *args, now=False, **options):
        if now:
            created = schedule_sponsored_calls.call()
            self.stdout.write(f"Appels de parrainage préparés : {created}.")
        else:
            result = schedule_sponsored_calls.enqueue()
            self.stdout.write(f"Préparation des appels de parrainage mise en file (tâche {result.id}).")
