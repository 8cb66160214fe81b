"""The directory's vocabularies (ten essential needs, CLIC domains, publics, data·inclusion) and their
mapping. `manage.py load_taxonomies` runs the same loader again after an upgrade of the schema package."""

from django.db import migrations


def load(apps, schema_editor):
    from maillage.directory.taxonomies import load_taxonomies

    load_taxonomies(apps.get_model("directory", "Taxonomy"), apps.get_model("directory", "TaxonomyTerm"))


class Migration(migrations.Migration):
    dependencies = [("directory", "0002_search_engines")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
