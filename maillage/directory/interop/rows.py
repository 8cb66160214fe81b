"""Set-based writes of plain rows ({column attname: value}) for the import: no model instance, no
signal, no save(), on purpose (the import writes its own audit lines, `interop.trail`).

PostgreSQL: COPY, which spares Django's per-value preparation and the server its parsing of
INSERTs (bench/directory_import.py); new rows get their keys from the table's sequence beforehand,
so that the children can be copied right after. Elsewhere (SQLite): bulk_create and executemany.
"""

import operator
from collections.abc import Iterable
from contextlib import contextmanager

from django.db import connection, models
from django.utils import timezone
from psycopg.copy import QueuedLibpqWriter

BATCH = 2000
CHUNK = 900  # ids per statement: under SQLite's historical limit of 999 parameters


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _filled(model, fields) -> dict:
    """The value of a column a row does not give: the field's default, or now for auto_now(_add)."""
    now = timezone.now()
    fill = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            fill[f.attname] = now
        else:
            fill[f.attname] = f.get_default()
    return fill


def _next_ids(model, count: int) -> list[int]:
    pk = model._meta.pk
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _copy_value(field, value):
    if value is not None and isinstance(field, models.JSONField):
        from psycopg.types.json import Jsonb

        return Jsonb(value)
    return value


@contextmanager
def _copy(statement: str):
    """COPY … FROM STDIN whose data a worker thread sends while this one formats the next rows: the
    server parses and indexes a batch while Python builds the following one, instead of each waiting
    for the other (psycopg's default writer sends each batch before returning). The database's
    errors come out as Django's (IntegrityError…), as they do from a query."""
    with connection.cursor() as cursor, connection.wrap_database_errors:
        raw = cursor.cursor  # psycopg's own cursor, under Django's wrapper
        with raw.copy(statement, writer=QueuedLibpqWriter(raw)) as copy:
            yield copy


def insert(model, rows: list[dict], *, returning_ids: bool = False) -> list[int]:
    """Insert the rows; with `returning_ids`, their primary keys, in order."""
    with inserting(model, rows, count=len(rows), returning_ids=returning_ids) as ids:
        return ids


@contextmanager
def inserting(model, rows: Iterable[dict], *, count: int, returning_ids: bool = False):
    """`insert` of `count` rows (any iterable: a generator is consumed as the rows are sent), whose
    block runs once every row is sent, before the end of the COPY is awaited: on PostgreSQL the
    server is still indexing the rows, and the block can do Python work meanwhile (and nothing that
    queries the database: the connection is busy until the block ends). Gives the primary keys with
    `returning_ids`, in order."""
    if not count:
        yield []
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key and not f.generated]
    if not _is_postgres():
        instances = [model(**row) for row in rows]
        model.objects.bulk_create(instances, batch_size=BATCH)
        yield [instance.pk for instance in instances]
        return
    fill = _filled(model, fields)
    ids = _next_ids(model, count) if returning_ids else []
    columns = ([model._meta.pk] if returning_ids else []) + fields
    names = ", ".join(_quote(f.column) for f in columns)
    json_at = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    # A row's values in column order, the defaults where the row says nothing: one C call per row
    # (the per-field Python loop was a tenth of a first import's writing).
    ordered = operator.itemgetter(*(f.attname for f in fields))
    written = 0
    with _copy(f"COPY {_quote(model._meta.db_table)} ({names}) FROM STDIN") as copy:
        for row in rows:
            values = ordered(fill | row)
            if len(fields) == 1:
                values = (values,)
            if json_at:
                values = list(values)
                for at in json_at:
                    values[at] = _copy_value(fields[at], values[at])
            copy.write_row((ids[written], *values) if returning_ids else values)
            written += 1
        if written != count:
            raise ValueError(f"{written} rows for {count} announced")
        yield ids


def insert_pairs(through, columns: tuple[str, str], pairs: list[tuple[int, int]]) -> None:
    """Insert many-to-many links given as (service id, other id)."""
    if not pairs:
        return
    if not _is_postgres():
        through.objects.bulk_create(
            [through(**dict(zip(columns, pair, strict=True))) for pair in pairs], batch_size=BATCH
        )
        return
    names = ", ".join(_quote(c) for c in columns)
    with _copy(f"COPY {_quote(through._meta.db_table)} ({names}) FROM STDIN") as copy:
        for pair in pairs:
            copy.write_row(pair)


def update(model, field_names: list[str], rows: list[dict]) -> None:
    """Set `field_names` (attnames) of the rows, each given with its "id". PostgreSQL: COPY into a
    temporary table, then one UPDATE … FROM; elsewhere, one prepared UPDATE run for every row."""
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in field_names]
    table, pk = model._meta.db_table, model._meta.pk.column
    columns = [f.column for f in fields]
    if not _is_postgres():
        sql = (
            f"UPDATE {_quote(table)} SET {', '.join(f'{_quote(c)} = %s' for c in columns)} "  # noqa: S608
            f"WHERE {_quote(pk)} = %s"
        )
        params = [[f.get_db_prep_save(row[f.attname], connection) for f in fields] + [row["id"]] for row in rows]
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)
        return
    temp = _quote(f"import_update_{table}")
    listed = ", ".join(_quote(c) for c in [pk, *columns])
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS "  # noqa: S608 — names from _meta
            f"SELECT {listed} FROM {_quote(table)} WITH NO DATA"
        )
        with _copy(f"COPY {temp} ({listed}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row["id"], *(_copy_value(f, row[f.attname]) for f in fields)])
        assignments = ", ".join(f"{_quote(c)} = u.{_quote(c)}" for c in columns)
        cursor.execute(
            f"UPDATE {_quote(table)} t SET {assignments} FROM {temp} u "  # noqa: S608
            f"WHERE t.{_quote(pk)} = u.{_quote(pk)}"
        )
        cursor.execute(f"DROP TABLE {temp}")


def delete_by(model_or_through, column: str, ids) -> None:
    """Delete the rows whose `column` is one of `ids`, in plain SQL: no collector, no signals (so no
    audit line per row; the import's own lines say what went, `interop.trail`)."""
    ids = sorted(set(ids))
    table = _quote(model_or_through._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {table} WHERE {_quote(column)} IN ({marks})", chunk)  # noqa: S608
