"""Search at département scale (bench/directory_search.py).

PostgreSQL: `search_vector`, a tsvector column the database generates from `search_text`, indexed
with GIN (it replaces the expression index of 0002: ranking reads the stored vector instead of
parsing every match's text again). The indexes of the filters' subqueries follow in 0006.
"""

from django.db import migrations

POSTGRES_FORWARD = [
    "ALTER TABLE directory_service ADD COLUMN IF NOT EXISTS search_vector tsvector GENERATED ALWAYS AS "
    "(to_tsvector('directory_french'::regconfig, COALESCE(search_text, ''))) STORED",
    "CREATE INDEX IF NOT EXISTS directory_service_vector_idx ON directory_service USING gin (search_vector)",
    "DROP INDEX IF EXISTS directory_service_fts_idx",
]
POSTGRES_BACKWARD = [
    "CREATE INDEX IF NOT EXISTS directory_service_fts_idx ON directory_service "
    "USING gin (to_tsvector('directory_french'::regconfig, COALESCE(search_text, '')))",
    "DROP INDEX IF EXISTS directory_service_vector_idx",
    "ALTER TABLE directory_service DROP COLUMN IF EXISTS search_vector",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("directory", "0004_interop")]

    operations = [
        migrations.RunPython(_run({"postgresql": POSTGRES_FORWARD}), _run({"postgresql": POSTGRES_BACKWARD})),
    ]
