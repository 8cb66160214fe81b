from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "maillage.volunteers"
    label = "volunteers"
    verbose_name = "Bénévoles et appelants"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from maillage.volunteers import audit  # noqa: F401  (profiles and slots under audit)
        from maillage.volunteers.dashboard import register_dashboard_panels

        register_dashboard_panels()
