"""`flush` empties every table. The audit trail is append-only (database triggers, migration 0002),
so outside production the triggers are lifted for the duration of the flush, then restored. In
production, flush refuses: the audit trail is never emptied wholesale."""

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from maillage.core.migrations import _audit_triggers


class Command(FlushCommand):
    def handle(self, **options):
        if settings.MAILLAGE_ENV == "prod":
            raise CommandError("flush est refusé en production : le journal d'audit ne peut pas être vidé.")
        connection = connections[options["database"]]
        with connection.schema_editor(atomic=False) as editor:
            _audit_triggers.drop(editor)
        try:
            return super().handle(**options)
        finally:
            with connection.schema_editor(atomic=False) as editor:
                _audit_triggers.create(editor)
