from django.core.management.base import BaseCommand

from maillage.casework.tasks import send_review_reminders


class Command(BaseCommand):
    help = "Envoie aux coordinateur·rices le rappel des plans d'aide à réviser (à lancer chaque jour)."

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="Exécuter tout de suite au lieu de mettre en file.")

    def handle(self, *args, now=False, **options):
        if now:
            count = send_review_reminders.call()
            self.stdout.write(f"{count} plan(s) rappelé(s).")
        else:
            result = send_review_reminders.enqueue()
            self.stdout.write(f"Rappels mis en file (tâche {result.id}).")
