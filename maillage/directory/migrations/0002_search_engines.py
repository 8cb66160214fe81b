"""Search engines, one per database vendor (maillage.directory.search).

PostgreSQL: extensions unaccent and pg_trgm, the text search configuration `directory_french`
(french + unaccent) and GIN indexes. SQLite: the FTS5 table indexing Service.search_text, kept in
sync by triggers, and its vocabulary table (typo fallback).
"""

from django.db import migrations

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """
    DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'directory_french') THEN
        CREATE TEXT SEARCH CONFIGURATION directory_french (COPY = french);
        ALTER TEXT SEARCH CONFIGURATION directory_french
          ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
      END IF;
    END $$
    """,
    "CREATE INDEX IF NOT EXISTS directory_service_fts_idx ON directory_service "
    "USING gin (to_tsvector('directory_french'::regconfig, COALESCE(search_text, '')))",
    "CREATE INDEX IF NOT EXISTS directory_service_trgm_idx ON directory_service USING gin (search_text gin_trgm_ops)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS directory_service_trgm_idx",
    "DROP INDEX IF EXISTS directory_service_fts_idx",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS directory_french",
]

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE directory_service_fts USING fts5("
    "search_text, content='directory_service', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE VIRTUAL TABLE directory_service_fts_vocab USING fts5vocab(directory_service_fts, 'row')",
    """CREATE TRIGGER directory_service_fts_ai AFTER INSERT ON directory_service BEGIN
      INSERT INTO directory_service_fts(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    """CREATE TRIGGER directory_service_fts_ad AFTER DELETE ON directory_service BEGIN
      INSERT INTO directory_service_fts(directory_service_fts, rowid, search_text)
      VALUES ('delete', old.id, old.search_text);
    END""",
    """CREATE TRIGGER directory_service_fts_au AFTER UPDATE OF search_text ON directory_service BEGIN
      INSERT INTO directory_service_fts(directory_service_fts, rowid, search_text)
      VALUES ('delete', old.id, old.search_text);
      INSERT INTO directory_service_fts(rowid, search_text) VALUES (new.id, new.search_text);
    END""",
    "INSERT INTO directory_service_fts(directory_service_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS directory_service_fts_au",
    "DROP TRIGGER IF EXISTS directory_service_fts_ad",
    "DROP TRIGGER IF EXISTS directory_service_fts_ai",
    "DROP TABLE IF EXISTS directory_service_fts_vocab",
    "DROP TABLE IF EXISTS directory_service_fts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
