"""The words of each service's names, apart (`Service.name_text`): the search ranks a service whose
name holds the words searched before one that only mentions them (search.text.TextTiers).

As in 0009, SQLite gets a plain ALTER TABLE (Django would rebuild the table and drop the search
triggers of 0002 and 0008). The column is then filled from the names, as the services write it.
"""

from django.db import migrations, models

FIELD = models.TextField(blank=True, default="", editable=False, verbose_name="nom indexé")


def add_column(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute('ALTER TABLE "directory_service" ADD COLUMN "name_text" text NOT NULL DEFAULT \'\'')
        return
    field = FIELD.clone()
    field.set_attributes_from_name("name_text")
    schema_editor.add_field(apps.get_model("directory", "Service"), field)


def drop_column(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute('ALTER TABLE "directory_service" DROP COLUMN "name_text"')
        return
    field = FIELD.clone()
    field.set_attributes_from_name("name_text")
    schema_editor.remove_field(apps.get_model("directory", "Service"), field)


def fill(apps, schema_editor):
    from maillage.directory.search.text import name_text

    Service = apps.get_model("directory", "Service")
    batch = []
    for service in Service.objects.only("pk", "name", "alternate_name").iterator(chunk_size=2000):
        service.name_text = name_text(service.name, service.alternate_name)
        batch.append(service)
        if len(batch) >= 2000:
            Service.objects.bulk_update(batch, ["name_text"])
            batch = []
    Service.objects.bulk_update(batch, ["name_text"])


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0011_service_hours_notes_import_review"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddField(model_name="service", name="name_text", field=FIELD)],
            database_operations=[migrations.RunPython(add_column, drop_column)],
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
