"""The communes where each service is at hand (ServiceReach), filled for the existing services: the
communes it serves and those of its places, each with its EPCI and département. Later changes are
kept by maillage.directory.services.service_reach_refresh (the same statement, per service)."""

import django.db.models.deletion
from django.db import migrations, models

FILL = """
INSERT INTO directory_servicereach (service_id, commune_id, epci_id, departement_id)
SELECT near.service_id, c.id, c.epci_id, c.departement_id FROM (
  SELECT service_id, commune_id FROM directory_service_communes_served
  UNION
  SELECT sal.service_id, l.commune_id FROM directory_serviceatlocation sal
  JOIN directory_location l ON l.id = sal.location_id
) near JOIN core_commune c ON c.id = near.commune_id
"""


def fill(apps, schema_editor):
    schema_editor.execute(FILL)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_retention_run"),
        ("directory", "0006_search_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="ServiceReach",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "commune",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="core.commune",
                        db_constraint=False,
                    ),
                ),
                (
                    "departement",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="core.departement",
                        db_constraint=False,
                    ),
                ),
                (
                    "epci",
                    models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="core.epci",
                        db_constraint=False,
                    ),
                ),
                (
                    "service",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reach",
                        to="directory.service",
                    ),
                ),
            ],
            options={
                "verbose_name": "commune de proximité d'un service",
                "verbose_name_plural": "communes de proximité des services",
                "indexes": [
                    models.Index(fields=["commune", "service"], name="reach_commune_idx"),
                    models.Index(fields=["epci", "service"], name="reach_epci_idx"),
                    models.Index(fields=["departement", "service"], name="reach_departement_idx"),
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("service", "commune"), name="servicereach_unique_commune")
                ],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="scheduleexception",
            index=models.Index(fields=["end_date", "start_date", "service"], name="schedule_exception_dates_idx"),
        ),
    ]
