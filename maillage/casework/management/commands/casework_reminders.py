from django.core.management.base import BaseCommand

from maillage.casework.tasks import send_followup_task_digests, send_review_reminders


class Command(BaseCommand):
    help = (
        "Envoie aux coordinateur·rices les rappels du jour : plans d'aide à réviser et tâches de suivi "
        "à faire (à lancer chaque jour)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="Exécuter tout de suite au lieu de mettre en file.")

    def handle(self, *args, now=False, **options):
        if now:
            plans = send_review_reminders.call()
            tasks = send_followup_task_digests.call()
            self.stdout.write(f"{plans} plan(s) et {tasks} tâche(s) de suivi rappelé(s).")
        else:
            reviews = send_review_reminders.enqueue()
            digests = send_followup_task_digests.enqueue()
            self.stdout.write(f"Rappels mis en file (tâches {reviews.id} et {digests.id}).")
