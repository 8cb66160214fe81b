from django.core.management.base import BaseCommand
from django.db import transaction

from maillage.directory.models import Taxonomy, TaxonomyTerm
from maillage.directory.taxonomies import load_taxonomies


class Command(BaseCommand):
    help = "Charge ou met à jour les vocabulaires de l'annuaire (idempotent)."

    def handle(self, *args, **options):
        with transaction.atomic():
            counts = load_taxonomies(Taxonomy, TaxonomyTerm)
        for slug, count in counts.items():
            self.stdout.write(f"{slug} : {count} termes")
