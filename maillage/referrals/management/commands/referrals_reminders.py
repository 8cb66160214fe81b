from django.core.management.base import BaseCommand

from maillage.referrals.tasks import send_overdue_reminders


class Command(BaseCommand):
    help = (
        "Rappelle aux partenaires les orientations qui attendent leur réponse depuis plus de "
        "MAILLAGE_REFERRALS_REMINDER_DAYS jours (à lancer chaque jour)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="Exécuter tout de suite au lieu de mettre en file.")

    def handle(self, *args, now=False, **options):
        if now:
            count = send_overdue_reminders.call()
            self.stdout.write(f"{count} orientation(s) rappelée(s).")
        else:
            result = send_overdue_reminders.enqueue()
            self.stdout.write(f"Rappels mis en file (tâche {result.id}).")
