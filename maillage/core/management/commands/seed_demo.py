from django.core.management.base import BaseCommand, CommandError

from maillage.core.demo import DEFAULT_DEMO_DEPARTEMENT, DEMO_TERRITORIES, demo_accounts_report, seed_demo


class Command(BaseCommand):
    help = (
        "Crée un territoire de démonstration (Ille-et-Vilaine par défaut, Côte-d’Or avec --departement 21) "
        "et un compte de démonstration par rôle. Sans risque si relancé ; deux départements peuvent coexister."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--departement",
            default=DEFAULT_DEMO_DEPARTEMENT,
            help="Département de la démonstration : "
            + ", ".join(f"{t.departement} ({t.label})" for t in DEMO_TERRITORIES.values())
            + f". Par défaut : {DEFAULT_DEMO_DEPARTEMENT}.",
        )

    def handle(self, *args, **options):
        territory = DEMO_TERRITORIES.get(options["departement"].strip())
        if territory is None:
            known = ", ".join(f"{t.departement} ({t.label})" for t in DEMO_TERRITORIES.values())
            raise CommandError(
                f"Pas de démonstration pour le département « {options['departement']} » ; au choix : {known}."
            )
        accounts = seed_demo(territory.departement)
        self.stdout.write(f"Démonstration : {territory.label} ({territory.departement}).")
        self.stdout.write(demo_accounts_report(accounts))
