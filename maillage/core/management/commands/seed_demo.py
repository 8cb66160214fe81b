from django.core.management.base import BaseCommand

from maillage.core.demo import demo_accounts_report, seed_demo


class Command(BaseCommand):
    help = (
        "Crée un territoire de démonstration (Côte-d’Or) et un compte de démonstration par rôle. "
        "Sans risque si relancé."
    )

    def handle(self, *args, **options):
        accounts = seed_demo()
        self.stdout.write(demo_accounts_report(accounts))
