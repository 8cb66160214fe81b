"""A version number per service, for optimistic locking of its edit form (core.versioning).

On SQLite, Django adds a NOT NULL column by rebuilding the table, which would drop the triggers of
the search engines (0002) and of the search index's change log (0008). The column is added with
a plain ALTER TABLE there instead; PostgreSQL adds it in place anyway.
"""

from django.db import migrations, models

FIELD = models.PositiveIntegerField(default=1, editable=False, verbose_name="version")


def add_column(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            'ALTER TABLE "directory_service" ADD COLUMN "version" integer unsigned NOT NULL DEFAULT 1 '
            'CHECK ("version" >= 0)'
        )
        return
    field = FIELD.clone()
    field.set_attributes_from_name("version")
    schema_editor.add_field(apps.get_model("directory", "Service"), field)


def drop_column(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute('ALTER TABLE "directory_service" DROP COLUMN "version"')
        return
    field = FIELD.clone()
    field.set_attributes_from_name("version")
    schema_editor.remove_field(apps.get_model("directory", "Service"), field)


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0008_search_index_changes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddField(model_name="service", name="version", field=FIELD)],
            database_operations=[migrations.RunPython(add_column, drop_column)],
        ),
    ]
