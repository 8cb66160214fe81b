from django.apps import AppConfig


class UiConfig(AppConfig):
    name = "maillage.ui"
    label = "ui"
    verbose_name = "Apparence"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from maillage.ui import checks  # noqa: F401  (registers the theme's checks)
