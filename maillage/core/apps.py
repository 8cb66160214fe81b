from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "maillage.core"
    label = "core"
    verbose_name = "Socle"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from maillage.core import audit, checks, lookups  # noqa: F401  (registers audited models and checks)

        lookups.register()
