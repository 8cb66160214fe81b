"""Mask the audit lines written before the trail stopped keeping the persons' data (decisions.md,
item 15): for a personal-data record, its name and the values of its fields leave the trail; who
did what, to which record (by number), which fields and when stay. Logged in the trail itself."""

from django.db import migrations


def redact(apps, schema_editor):
    # Only a database that already has lines: a new one has nothing to mask (and the current
    # model, used below, may be ahead of this migration's table on a new database).
    if not apps.get_model("core", "AuditLogEntry").objects.using(schema_editor.connection.alias).exists():
        return
    from maillage.core.audit import redact_written_lines

    redact_written_lines()


class Migration(migrations.Migration):
    dependencies = [("core", "0003_retention_run")]

    operations = [migrations.RunPython(redact, migrations.RunPython.noop)]
