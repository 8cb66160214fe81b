"""The audit trail is append-only at the database level: UPDATE, DELETE and TRUNCATE are refused by
triggers, whatever code (or person with a SQL console using the application's role) tries them."""

from django.db import migrations

from maillage.core.migrations import _audit_triggers


def forward(apps, schema_editor):
    _audit_triggers.create(schema_editor)


def backward(apps, schema_editor):
    _audit_triggers.drop(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
