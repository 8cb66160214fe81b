from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "maillage.core"
    label = "core"
    verbose_name = "Socle"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers audited models, checks, and the rate limits' retention rule.
        from maillage.core import audit, checks, lookups, ratelimit  # noqa: F401

        lookups.register()
