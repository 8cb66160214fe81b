"""The search index's version (models.SearchIndexChange, directory.search_index): triggers on every
table the in-memory index reads log each change, so that no write path (forms, import, admin,
territories, raw SQL) can leave the index stale.

PostgreSQL: one row per writing statement (statement-level triggers, TRUNCATE included). SQLite has
row-level triggers only: each changed row rewrites one row at random (SQLite has one writer at a time).
"""

import django.db.models.functions.datetime
from django.db import migrations, models

WATCHED = [
    "directory_service",
    "directory_service_terms",
    "directory_serviceaccessibility",
    "directory_servicereach",
    "directory_regularschedule",
    "directory_scheduleexception",
    "core_organisation",
]

POSTGRES_FORWARD = [
    """CREATE OR REPLACE FUNCTION directory_search_index_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO directory_searchindexchange (value) VALUES (gen_random_uuid()::text);
      RETURN NULL;
    END $$""",
    *(
        f"CREATE TRIGGER {table}_search_index AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION directory_search_index_changed()"
        for table in WATCHED
    ),
    "INSERT INTO directory_searchindexchange (value) VALUES (gen_random_uuid()::text)",
]
POSTGRES_BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS {table}_search_index ON {table}" for table in WATCHED),
    "DROP FUNCTION IF EXISTS directory_search_index_changed()",
]

SQLITE_BUMP = (
    "INSERT INTO directory_searchindexchange (id, value) VALUES (1, lower(hex(randomblob(16)))) "
    "ON CONFLICT (id) DO UPDATE SET value = excluded.value"
)
SQLITE_FORWARD = [
    *(
        f"CREATE TRIGGER {table}_search_index_{event.lower()} AFTER {event} ON {table} BEGIN {SQLITE_BUMP}; END"
        for table in WATCHED
        for event in ("INSERT", "UPDATE", "DELETE")
    ),
    SQLITE_BUMP,
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {table}_search_index_{event.lower()}"
    for table in WATCHED
    for event in ("INSERT", "UPDATE", "DELETE")
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("directory", "0007_service_reach"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchIndexChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("value", models.CharField(blank=True, max_length=36)),
                ("created_at", models.DateTimeField(db_default=django.db.models.functions.datetime.Now())),
            ],
            options={
                "verbose_name": "changement de l'index de recherche",
                "verbose_name_plural": "changements de l'index de recherche",
            },
        ),
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
